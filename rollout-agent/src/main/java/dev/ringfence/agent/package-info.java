/**
 * The endpoint-side rollout agent: fetches, verifies, validates and activates content, and reverts by
 * itself after failed starts. Only the module's place in the build exists so far; its API and
 * {@code module-info} arrive with the rollout-agent issue.
 */
@NullMarked
package dev.ringfence.agent;

import org.jspecify.annotations.NullMarked;
