/**
 * A deterministic, in-process replay of the CrowdStrike Channel File 291 incident of 19 July 2024
 * with Ringfence gating the push: a simulated fleet of 5,000 endpoints polls an embedded {@link
 * dev.ringfence.core.RolloutEngine} and sends it a heartbeat every virtual minute, the core's {@code
 * health} judge compares the exposed hosts with those still on the baseline (a crashed host that stays
 * silent counts as a failure), a good update rolls out through four rings, and a bad one is halted in
 * the canary ring and rolled back. Time comes from a {@link dev.ringfence.examples.demo.VirtualClock} and
 * every random choice from one seeded {@link java.util.Random}, so a seed always prints the same run.
 */
package dev.ringfence.examples.demo;
