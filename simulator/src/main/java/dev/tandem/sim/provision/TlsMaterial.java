package dev.tandem.sim.provision;

import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.error.TandemException;
import dev.tandem.shared.identity.PasswordHash;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A site's TLS material, made with {@code openssl} (the JDK has no public API to issue
 * certificates): a CA (EC P-256, 10 years), a broker certificate it signs (825 days) for the given
 * host names and addresses, the broker's key as PEM (mosquitto) and as a PKCS#12 keystore with its
 * password in a file beside it (the embedded HiveMQ). Clients trust {@code ca.pem}.
 */
public final class TlsMaterial {
    public static final String CA = "ca.pem";
    public static final String CA_KEY = "ca.key";
    public static final String SERVER_CERT = "server.pem";
    public static final String SERVER_KEY = "server.key";
    public static final String KEYSTORE = "server.p12";
    public static final String KEYSTORE_PASSWORD = "server.p12.password";
    private static final long TIMEOUT_SECONDS = 60;

    private TlsMaterial() {
    }

    /** Creates the CA and the server certificate in {@code dir}, which must not hold them yet. */
    public static void create(Path dir, String site, List<String> hosts) {
        try {
            Files.createDirectories(dir);
            if (Files.exists(dir.resolve(CA))) {
                throw new TandemException(ErrorCode.INVALID_CONFIG, dir.resolve(CA) + " exists: TLS material is made once");
            }
            openssl(dir, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                    "-keyout", CA_KEY, "-out", CA, "-days", "3650", "-subj", "/CN=Tandem site " + site + " CA",
                    "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign");
            openssl(dir, "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                    "-keyout", SERVER_KEY, "-out", "server.csr", "-subj", "/CN=tandem-broker." + site);
            Files.writeString(dir.resolve("server.ext"), "basicConstraints=CA:FALSE\n"
                    + "keyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n"
                    + "subjectAltName=" + subjectAltNames(hosts) + "\n");
            openssl(dir, "x509", "-req", "-in", "server.csr", "-CA", CA, "-CAkey", CA_KEY, "-CAcreateserial",
                    "-out", SERVER_CERT, "-days", "825", "-extfile", "server.ext");
            String password = PasswordHash.randomPassword();
            SecretFiles.writeAtomically(dir.resolve(KEYSTORE_PASSWORD), password.getBytes(StandardCharsets.US_ASCII), true);
            openssl(dir, "pkcs12", "-export", "-in", SERVER_CERT, "-inkey", SERVER_KEY, "-name", "broker",
                    "-out", KEYSTORE, "-passout", "file:" + KEYSTORE_PASSWORD);
            for (String secret : List.of(CA_KEY, SERVER_KEY, KEYSTORE)) {
                SecretFiles.ownerOnly(dir.resolve(secret));
            }
            Files.deleteIfExists(dir.resolve("server.csr"));
            Files.deleteIfExists(dir.resolve("server.ext"));
        } catch (IOException e) {
            throw new TandemException(ErrorCode.INVALID_CONFIG, "cannot make TLS material in " + dir + ": " + e, e);
        }
    }

    static String subjectAltNames(List<String> hosts) {
        List<String> names = new ArrayList<>();
        for (String h : hosts) {
            if (!h.matches("[A-Za-z0-9.:-]{1,253}")) {
                throw new TandemException(ErrorCode.INVALID_CONFIG, "not a host name or address: '" + h + "'");
            }
            names.add((h.matches("[0-9.]+") || h.contains(":") ? "IP:" : "DNS:") + h);
        }
        return String.join(",", names);
    }

    private static void openssl(Path dir, String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add("openssl");
        cmd.addAll(List.of(args));
        Path log = dir.resolve("openssl.log");
        Process p;
        try {
            p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        } catch (IOException e) {
            throw new TandemException(ErrorCode.INVALID_CONFIG, "cannot run openssl (Debian package openssl): " + e.getMessage());
        }
        try {
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new TandemException(ErrorCode.INVALID_CONFIG, "openssl " + args[0] + " did not finish in "
                        + TIMEOUT_SECONDS + " s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TandemException(ErrorCode.INVALID_CONFIG, "interrupted while running openssl");
        }
        if (p.exitValue() != 0) {
            throw new TandemException(ErrorCode.INVALID_CONFIG, "openssl " + args[0] + " failed (exit " + p.exitValue()
                    + "); see " + log);
        }
    }
}
