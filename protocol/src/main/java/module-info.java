/**
 * Ringfence protocol: the wire types shared by the engine, the update server and the endpoint agent. Needs
 * only the JDK at run time (JSpecify's nullness annotations are compile-time only).
 */
module dev.ringfence.protocol {
  requires static transitive org.jspecify;

  exports dev.ringfence.protocol;
}
