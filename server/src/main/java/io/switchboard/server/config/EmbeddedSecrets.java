package io.switchboard.server.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * The embedded default's secrets (the supervisor's token and the API key's secret), generated at the first start and
 * kept in the data directory ({@code embedded-secrets.json}, {@code 0600}), so a restart keeps the same admin token
 * and API key. Deleting the file makes the next start generate new ones.
 */
public record EmbeddedSecrets(String supervisorToken, String apiKeySecret, boolean generated, Path file) {

    static final String FILE = "embedded-secrets.json";

    /** The file's content. */
    private record Kept(@JsonProperty("supervisor_token") String supervisorToken,
                        @JsonProperty("api_key_secret") String apiKeySecret) {
    }

    /** The secrets kept in {@code dataDir}, or new ones, written there now. */
    public static EmbeddedSecrets in(Path dataDir) {
        Path file = dataDir.resolve(FILE);
        ObjectMapper mapper = io.switchboard.protocol.Codec.strictMapper();
        try {
            if (Files.exists(file)) {
                Kept kept = mapper.readValue(file.toFile(), Kept.class);
                if (kept.supervisorToken() == null || kept.supervisorToken().length() < ConfigLoader.SECRET_MIN
                        || kept.apiKeySecret() == null || kept.apiKeySecret().length() < ConfigLoader.SECRET_MIN) {
                    throw new ConfigException(file + ": a secret is missing or shorter than "
                            + ConfigLoader.SECRET_MIN + " characters (delete the file to generate new ones)");
                }
                return new EmbeddedSecrets(kept.supervisorToken(), kept.apiKeySecret(), false, file);
            }
            SecureRandom random = new SecureRandom();
            EmbeddedSecrets made = new EmbeddedSecrets(secret(random), secret(random), true, file);
            if (!Files.isDirectory(dataDir)) {
                Files.createDirectories(dataDir, PosixFilePermissions.asFileAttribute(
                        PosixFilePermissions.fromString("rwx------")));
            }
            Path temporary = Files.createTempFile(dataDir, FILE, ".new", PosixFilePermissions.asFileAttribute(
                    PosixFilePermissions.fromString("rw-------")));
            mapper.writerWithDefaultPrettyPrinter().writeValue(temporary.toFile(), new Kept(made.supervisorToken(),
                    made.apiKeySecret()));
            Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE);
            return made;
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new ConfigException(file + ": not the embedded default's secrets (" + e.getOriginalMessage()
                    + "); delete the file to generate new ones");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot keep the embedded default's secrets in " + file, e);
        }
    }

    static String secret(SecureRandom random) {
        byte[] bytes = new byte[24];
        random.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
