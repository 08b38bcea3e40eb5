/**
 * Ringfence rollout agent: the endpoint-side guard that fetches, verifies, validates and activates
 * content and reverts by itself after failed starts. Its implementation arrives with the agent issue;
 * the module exists now so that the build and its layout are fixed.
 */
module dev.ringfence.agent {
  requires static transitive org.jspecify;

  exports dev.ringfence.agent;
}
