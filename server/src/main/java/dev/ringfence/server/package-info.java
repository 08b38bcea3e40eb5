/**
 * An update server that embeds the Ringfence engine: endpoints enrolled with their own token and HMAC key
 * ask for decisions, download content and post signed signals; administrators publish signed releases,
 * create rollouts from plans and pause, resume, halt or abort them; a status page, {@code /metrics} and
 * {@code /healthz}. Loopback only and token-protected by default. Reference: {@code docs/update-server.md}.
 */
package dev.ringfence.server;
