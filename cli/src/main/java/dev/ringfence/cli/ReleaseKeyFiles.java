package dev.ringfence.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.util.Base64;
import java.util.regex.Pattern;

/**
 * Release key files: {@code ID.key} holds the Ed25519 private key (Base64 of its PKCS#8 encoding, mode
 * 0600) and {@code ID.pub} the public key (Base64 of its X.509 encoding: the value of the server's and the
 * agents' {@code --release-key ID=BASE64}). The key id is the file name without its extension.
 */
final class ReleaseKeyFiles {

  static final Pattern ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");

  private ReleaseKeyFiles() {}

  /**
   * Generates a key pair and writes both files; refuses to overwrite either.
   *
   * @return the public key file
   */
  static Path generate(Path directory, String id) throws IOException, GeneralSecurityException {
    if (!ID.matcher(id).matches()) {
      throw new IllegalArgumentException("--id: '" + id + "' must be 1 to 64 of A-Z a-z 0-9 . _ -");
    }
    Files.createDirectories(directory);
    Path privateFile = directory.resolve(id + ".key");
    Path publicFile = directory.resolve(id + ".pub");
    for (Path file : new Path[] {privateFile, publicFile}) {
      if (Files.exists(file)) {
        throw new FileAlreadyExistsException(file + ": a key file is never overwritten; choose another --id");
      }
    }
    KeyPair pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    OwnerOnlyFile.create(privateFile, Base64.getEncoder().encodeToString(pair.getPrivate().getEncoded()) + "\n",
        StandardCharsets.US_ASCII);
    Files.writeString(publicFile, publicBase64(pair) + "\n", StandardCharsets.US_ASCII);
    return publicFile;
  }

  static String publicBase64(KeyPair pair) {
    return Base64.getEncoder().encodeToString(pair.getPublic().getEncoded());
  }

  /** @return the key id of a key file: its name without the extension */
  static String id(Path keyFile) {
    return dev.ringfence.server.UpdateServerMain.keyId(keyFile);
  }

  /**
   * Reads a private key file.
   *
   * @throws IllegalArgumentException naming the file when it is not a Base64 PKCS#8 Ed25519 key
   */
  static PrivateKey readPrivate(Path keyFile) throws IOException {
    try {
      return dev.ringfence.server.UpdateServerMain.readPrivateKey(keyFile, "--key");
    } catch (dev.ringfence.protocol.InvalidInputException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
  }

}
