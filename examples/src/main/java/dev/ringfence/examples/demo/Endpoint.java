package dev.ringfence.examples.demo;

import dev.ringfence.core.EndpointAttributes;

/** One simulated host: what the update server knows about it, what it runs, and whether it is up. */
final class Endpoint {

  final String id;
  final EndpointAttributes attributes;
  /** The content version the host runs. */
  long version;
  /** The host crashed and stays down until this simulated minute, then reboots. */
  int downUntilMinute = -1;
  /** The host crashed and has not come back up yet. */
  boolean down;

  Endpoint(String id, EndpointAttributes attributes, long version) {
    this.id = id;
    this.attributes = attributes;
    this.version = version;
  }

  boolean isWindows() {
    return "windows".equals(attributes.os());
  }
}
