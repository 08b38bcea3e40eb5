package dev.ringfence.cli;

import dev.ringfence.agent.ContentRefusedException;
import dev.ringfence.agent.EnvelopeSignature;
import dev.ringfence.agent.RootDocument;
import dev.ringfence.agent.TrustStore;
import dev.ringfence.protocol.InvalidInputException;
import dev.ringfence.server.UpdateServerMain;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The trust-root commands of {@code ringfence keys}: {@code init-root}, {@code rotate} and {@code sign-root}. */
final class RootCommands {

  private RootCommands() {}

  /** Options every root command shares: who signs, and the spec for messages. */
  abstract static class Base implements Callable<Integer> {

    @Option(names = "--sign-with", paramLabel = "FILE.key", description = "a root key's private key file (from"
        + " 'keys generate') to sign with; repeat for each key you hold")
    List<Path> signWith = new ArrayList<>();

    @CommandLine.Spec
    @SuppressWarnings("NullAway.Init")
    CommandLine.Model.CommandSpec spec;

    CommandLine.ParameterException bad(String message) {
      return new CommandLine.ParameterException(spec.commandLine(), message);
    }

    RootDocument sign(RootDocument doc) {
      RootDocument out = doc;
      for (Path file : signWith) {
        try {
          out = out.signedBy(UpdateServerMain.keyId(file), UpdateServerMain.readPrivateKey(file, "--sign-with"));
        } catch (InvalidInputException e) {
          throw bad(e.getMessage());
        } catch (GeneralSecurityException e) {
          throw bad("--sign-with " + file + ": cannot sign: " + e.getMessage());
        }
      }
      return out;
    }

    static RootDocument read(Path file, String option) throws IOException {
      try {
        return RootDocument.parse(Files.readAllBytes(file));
      } catch (InvalidInputException e) {
        throw new InvalidInputException(option, file + ": " + e.getMessage());
      }
    }

    void write(Path out, RootDocument doc) throws IOException {
      Path parent = out.toAbsolutePath().getParent();
      Files.createDirectories(parent);
      Files.write(out, doc.toJson());
      spec.commandLine().getOut().println("wrote root v" + doc.version() + " to " + out + " (expires "
          + doc.expiresAt() + "; release keys " + doc.release().keyIds() + ", threshold "
          + doc.release().threshold() + (doc.revokedKeys().isEmpty() ? "" : "; revoked " + doc.revokedKeys().keySet())
          + ")");
    }

    /** Says which thresholds the signatures meet, and what is still missing; 0 when agents accept it, else 3. */
    int report(@Nullable RootDocument previous, RootDocument doc) {
      PrintWriter out = spec.commandLine().getOut();
      try {
        if (previous != null) {
          previous.verifySuccessor(doc);
          out.println("signed by enough root keys of v" + previous.version() + " and of v" + doc.version()
              + ": agents holding v" + previous.version() + " will take it; publish it with POST /admin/v1/roots");
        } else {
          doc.verifySelfSigned();
          out.println("signed by enough of its own root keys: ship it with your agents and give it to the server"
              + " with --trust-root");
        }
        return 0;
      } catch (ContentRefusedException e) {
        out.println("not yet acceptable: " + e.getMessage());
        out.println("the holders of the missing root keys add theirs with 'ringfence keys sign-root --root FILE"
            + (previous == null ? "" : " --from <v" + previous.version() + " file>") + " --sign-with KEY'");
        return 3;
      }
    }

    static Map<String, PublicKey> publicKeys(List<Path> files, String option) throws IOException {
      Map<String, PublicKey> keys = new LinkedHashMap<>();
      for (Path file : files) {
        String text = Files.readString(file, StandardCharsets.US_ASCII).trim();
        try {
          keys.put(UpdateServerMain.keyId(file), TrustStore.ed25519PublicKey(Base64.getDecoder().decode(text)));
        } catch (IllegalArgumentException | InvalidInputException e) {
          throw new InvalidInputException(option, file + " is not a public key written by 'ringfence keys"
              + " generate' (Base64 X.509): " + e.getMessage());
        }
      }
      return keys;
    }
  }

  /** Options of the commands that write a new root: where it goes, never over another file, and how long it lasts. */
  abstract static class NewRoot extends Base {

    @Option(names = "--out", required = true, paramLabel = "FILE",
        description = "where to write the root; an existing file is never overwritten")
    @SuppressWarnings("NullAway.Init")
    Path out;

    @Option(names = "--expires", description = "how long the root is valid, e.g. 365d")
    Duration expires = Duration.ofDays(365);

    /** Refuses an {@code --out} that exists before any work is done: a root is never overwritten. */
    void refuseExistingOut() {
      if (Files.exists(out)) {
        throw bad("--out " + out + " exists; a root is never overwritten");
      }
    }
  }

  /** {@code keys init-root}: the first root, version 1. */
  @Command(name = "init-root", mixinStandardHelpOptions = true, showDefaultValues = true,
      description = {"Writes trust root v1 from public key files (ID.pub from 'keys generate') and signs it with the"
          + " root keys you hold. Agents ship with it; the server is started with --trust-root.",
          "Exit 0 when it carries enough signatures, 3 when more root keys must sign (keys sign-root)."})
  static final class Init extends NewRoot {

    @Option(names = "--root-key", required = true, paramLabel = "FILE.pub", description = "a root key (offline)")
    List<Path> rootKeys = new ArrayList<>();

    @Option(names = "--release-key", required = true, paramLabel = "FILE.pub",
        description = "a release key (offline; signs envelopes)")
    List<Path> releaseKeys = new ArrayList<>();

    @Option(names = "--timestamp-key", paramLabel = "FILE.pub", description = "the update server's online"
        + " timestamp key; with one, every channel not named by --timestamp-optional requires fresh timestamps")
    List<Path> timestampKeys = new ArrayList<>();

    @Option(names = "--root-threshold", description = "root keys that must sign the next root")
    int rootThreshold = 1;

    @Option(names = "--release-threshold", description = "release keys that must sign an envelope")
    int releaseThreshold = 1;

    @Option(names = "--timestamp-optional", paramLabel = "CHANNEL", description = "a channel that does not"
        + " require timestamps (an old channel whose agents predate them)")
    List<String> optionalChannels = new ArrayList<>();

    @Override
    public Integer call() throws IOException {
      refuseExistingOut();
      RootDocument doc;
      try {
        Map<String, PublicKey> keys = new TreeMap<>();
        Map<String, PublicKey> root = publicKeys(rootKeys, "--root-key");
        Map<String, PublicKey> release = publicKeys(releaseKeys, "--release-key");
        Map<String, PublicKey> timestamp = publicKeys(timestampKeys, "--timestamp-key");
        keys.putAll(root);
        keys.putAll(release);
        keys.putAll(timestamp);
        doc = new RootDocument(1, Instant.now().plus(expires), keys,
            new RootDocument.Role(List.copyOf(root.keySet()), rootThreshold),
            new RootDocument.Role(List.copyOf(release.keySet()), releaseThreshold),
            timestamp.isEmpty() ? null : new RootDocument.Role(List.copyOf(timestamp.keySet()), 1),
            Map.of(), Set.copyOf(optionalChannels), List.of());
      } catch (InvalidInputException e) {
        throw bad(e.getMessage());
      }
      doc = sign(doc);
      write(out, doc);
      return report(null, doc);
    }
  }

  /** {@code keys rotate}: the next root version. */
  @Command(name = "rotate", mixinStandardHelpOptions = true, showDefaultValues = true,
      description = {"Writes the next trust root from the current one: add or remove keys, revoke a key (its"
          + " signatures are refused from then on, under any id), change thresholds or the expiry. Agents take it"
          + " only when a threshold of the current root keys and a threshold of the new root keys signed it.",
          "Exit 0 when it carries enough signatures, 3 when more must sign (keys sign-root)."})
  static final class Rotate extends NewRoot {

    @Option(names = "--from", required = true, paramLabel = "FILE", description = "the current root")
    @SuppressWarnings("NullAway.Init")
    Path from;

    @Option(names = "--add-root-key", paramLabel = "FILE.pub", description = "a new root key")
    List<Path> addRoot = new ArrayList<>();

    @Option(names = "--add-release-key", paramLabel = "FILE.pub", description = "a new release key")
    List<Path> addRelease = new ArrayList<>();

    @Option(names = "--add-timestamp-key", paramLabel = "FILE.pub", description = "a new timestamp key")
    List<Path> addTimestamp = new ArrayList<>();

    @Option(names = "--remove-key", paramLabel = "ID", description = "retire a key without revoking it")
    List<String> remove = new ArrayList<>();

    @Option(names = "--revoke", paramLabel = "ID", description = "revoke a key: removed, and refused by name and"
        + " fingerprint from now on (a stolen key)")
    List<String> revoke = new ArrayList<>();

    @Option(names = "--root-threshold", description = "new root threshold (default: unchanged)")
    @Nullable Integer rootThreshold;

    @Option(names = "--release-threshold", description = "new release threshold (default: unchanged)")
    @Nullable Integer releaseThreshold;

    @Override
    public Integer call() throws IOException {
      refuseExistingOut();
      RootDocument current;
      RootDocument next;
      try {
        current = read(from, "--from");
        Map<String, PublicKey> keys = new TreeMap<>(current.keys());
        Set<String> root = new LinkedHashSet<>(current.root().keyIds());
        Set<String> release = new LinkedHashSet<>(current.release().keyIds());
        Set<String> timestamp = current.timestamp() == null ? new LinkedHashSet<>()
            : new LinkedHashSet<>(current.timestamp().keyIds());
        Map<String, String> revoked = new TreeMap<>(current.revokedKeys());
        for (String id : revoke) {
          PublicKey key = keys.get(id);
          if (key == null) {
            throw bad("--revoke " + id + ": root v" + current.version() + " has no such key " + keys.keySet());
          }
          revoked.put(id, RootDocument.fingerprint(key));
        }
        for (String id : concat(remove, revoke)) {
          if (keys.remove(id) == null) {
            throw bad("--remove-key " + id + ": root v" + current.version() + " has no such key " + keys.keySet());
          }
          root.remove(id);
          release.remove(id);
          timestamp.remove(id);
        }
        add(keys, root, publicKeys(addRoot, "--add-root-key"));
        add(keys, release, publicKeys(addRelease, "--add-release-key"));
        add(keys, timestamp, publicKeys(addTimestamp, "--add-timestamp-key"));
        int rootK = rootThreshold != null ? rootThreshold : Math.min(current.root().threshold(), root.size());
        int releaseK = releaseThreshold != null ? releaseThreshold
            : Math.min(current.release().threshold(), Math.max(1, release.size()));
        next = new RootDocument(current.version() + 1, Instant.now().plus(expires), keys,
            new RootDocument.Role(List.copyOf(root), rootK), new RootDocument.Role(List.copyOf(release), releaseK),
            timestamp.isEmpty() ? null : new RootDocument.Role(List.copyOf(timestamp), 1), revoked,
            current.timestampOptionalChannels(), List.of());
      } catch (InvalidInputException e) {
        throw bad(e.getMessage());
      }
      next = sign(next);
      write(out, next);
      return report(current, next);
    }

    private static List<String> concat(List<String> a, List<String> b) {
      List<String> all = new ArrayList<>(a);
      all.addAll(b);
      return all;
    }

    private void add(Map<String, PublicKey> keys, Set<String> role, Map<String, PublicKey> added) {
      for (Map.Entry<String, PublicKey> e : added.entrySet()) {
        if (keys.putIfAbsent(e.getKey(), e.getValue()) != null) {
          throw bad("key id '" + e.getKey() + "' is in the root already; generate the new key under a new id");
        }
        role.add(e.getKey());
      }
    }
  }

  /** {@code keys sign-root}: adds signatures to a root someone else wrote. */
  @Command(name = "sign-root", mixinStandardHelpOptions = true,
      description = {"Adds your root keys' signatures to a root written by 'keys rotate' or 'keys init-root', and"
          + " says whether agents will now take it.", "Exit 0 when it carries enough signatures, 3 when not yet."})
  static final class Sign extends Base {

    @Option(names = "--root", required = true, paramLabel = "FILE", description = "the root to sign (rewritten)")
    @SuppressWarnings("NullAway.Init")
    Path root;

    @Option(names = "--from", paramLabel = "FILE", description = "the root it rotates from (omit for v1)")
    @Nullable Path from;

    @Override
    public Integer call() throws IOException {
      RootDocument doc;
      RootDocument previous;
      try {
        doc = read(root, "--root");
        previous = from == null ? null : read(from, "--from");
      } catch (InvalidInputException e) {
        throw bad(e.getMessage());
      }
      if (signWith.isEmpty()) {
        throw bad("--sign-with: name at least one root key to sign with");
      }
      doc = sign(doc);
      Path tmp = root.resolveSibling(root.getFileName() + ".tmp");
      Files.write(tmp, doc.toJson());
      Files.move(tmp, root, java.nio.file.StandardCopyOption.ATOMIC_MOVE,
          java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      List<String> signers = doc.signatures().stream().map(EnvelopeSignature::keyId).toList();
      spec.commandLine().getOut().println("root v" + doc.version() + " now carries signatures by " + signers);
      return report(previous, doc);
    }
  }
}
