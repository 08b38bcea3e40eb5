package dev.ringfence.agent;

import java.nio.file.Path;

/**
 * The content the host should run now, as the agent has verified it on disk.
 *
 * @param path the content file; read it, never write it
 * @param version its version
 * @param sha256 its SHA-256, lowercase hex
 * @param size its size in bytes
 */
public record ActiveContent(Path path, long version, String sha256, long size) {}
