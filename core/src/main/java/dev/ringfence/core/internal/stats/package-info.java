/**
 * Small exact statistics for canary judgement: the standard normal distribution and the Mann-Whitney U
 * test with the Hodges-Lehmann shift estimate. Not exported; other internal packages call these, and
 * nothing here is API.
 */
@NullMarked
package dev.ringfence.core.internal.stats;

import org.jspecify.annotations.NullMarked;
