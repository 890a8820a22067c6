package io.chipwatch.neo4j;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;

import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.graphdb.GraphDatabaseService;

/**
 * Runs Neo4j Community embedded, with only its Bolt connector, for chipwatch's local database.
 *
 * <p>Usage: {@code java -jar chipwatch-neo4j.jar --home DIR [--host 127.0.0.1] [--port 7687]
 * [--password-file FILE] [--pagecache 1g] [--setting key=value ...]}.
 *
 * <p>Prints one line starting with {@code BOLT READY} once clients can connect, and shuts the
 * database down cleanly on SIGTERM (the JVM runs shutdown hooks on SIGTERM and SIGINT).
 */
public final class Launcher {
    private Launcher() {}

    public static void main(String[] args) throws Exception {
        Options options = Options.parse(args);
        DatabaseManagementService dbms = new DatabaseManagementServiceBuilder(options.home)
                .setConfig(BoltConnector.enabled, true)
                .setConfig(BoltConnector.listen_address, new SocketAddress(options.host, options.port))
                .setConfig(BoltConnector.advertised_address, new SocketAddress(options.host, options.port))
                .loadPropertiesFromFile(options.writeConfig())
                .build();

        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("chipwatch-neo4j: shutting down");
            dbms.shutdown();
            System.out.println("chipwatch-neo4j: stopped");
            System.out.flush();
            stopped.countDown();
        }, "chipwatch-neo4j-shutdown"));

        if (options.passwordFile != null) {
            setPassword(dbms.database("system"), readPassword(options.passwordFile));
        }
        System.out.printf("BOLT READY bolt://%s:%d home=%s%n", options.host, options.port, options.home);
        System.out.flush();
        stopped.await();
    }

    private static String readPassword(Path file) throws IOException {
        String password = Files.readString(file, StandardCharsets.UTF_8).strip();
        if (password.length() < 8) {
            throw new IllegalArgumentException("password in " + file + " must have at least 8 characters");
        }
        return password;
    }

    /** Sets the neo4j user's password, so clients never see the "change password" state. */
    private static void setPassword(GraphDatabaseService system, String password) {
        try {
            system.executeTransactionally(
                    "ALTER USER neo4j SET PLAINTEXT PASSWORD $password CHANGE NOT REQUIRED",
                    Map.of("password", password));
        } catch (RuntimeException e) {
            // Neo4j refuses to "change" a password to the one it already has; that is fine.
            if (!String.valueOf(e.getMessage()).toLowerCase().contains("same")) {
                throw e;
            }
        }
    }

    /** Command-line options; anything unknown is an error rather than silently ignored. */
    static final class Options {
        Path home;
        String host = "127.0.0.1";
        int port = 7687;
        Path passwordFile;
        String pagecache = "1g";
        final Map<String, String> extra = new HashMap<>();

        static Options parse(String[] args) {
            Options o = new Options();
            for (int i = 0; i < args.length; i++) {
                String value = i + 1 < args.length ? args[i + 1] : null;
                switch (args[i]) {
                    case "--home" -> o.home = Path.of(require(args[i], value)).toAbsolutePath();
                    case "--host" -> o.host = require(args[i], value);
                    case "--port" -> o.port = Integer.parseInt(require(args[i], value));
                    case "--password-file" -> o.passwordFile = Path.of(require(args[i], value));
                    case "--pagecache" -> o.pagecache = require(args[i], value);
                    case "--setting" -> {
                        String[] kv = require(args[i], value).split("=", 2);
                        if (kv.length != 2) {
                            throw new IllegalArgumentException("--setting takes key=value, got " + value);
                        }
                        o.extra.put(kv[0], kv[1]);
                    }
                    default -> throw new IllegalArgumentException("unknown option " + args[i]);
                }
                i++;
            }
            if (o.home == null) {
                throw new IllegalArgumentException("--home DIR is required");
            }
            return o;
        }

        private static String require(String option, String value) {
            if (value == null) {
                throw new IllegalArgumentException(option + " needs a value");
            }
            return value;
        }

        /** Writes the settings where an operator can read them; the builder loads them from there. */
        Path writeConfig() throws IOException {
            Files.createDirectories(home);
            Path conf = home.resolve("chipwatch-neo4j.conf");
            StringBuilder text = new StringBuilder("# Written by chipwatch-neo4j at each start; edits are overwritten.\n");
            new TreeMap<>(settings()).forEach((k, v) -> text.append(k).append('=').append(v).append('\n'));
            Files.writeString(conf, text.toString(), StandardCharsets.UTF_8);
            return conf;
        }

        Map<String, String> settings() {
            Map<String, String> s = new HashMap<>();
            s.put("dbms.security.auth_enabled", String.valueOf(passwordFile != null));
            s.put("server.memory.pagecache.size", pagecache);
            // A local analysis database: keep transaction logs from filling the disk.
            s.put("db.tx_log.rotation.retention_policy", "2 files");
            s.putAll(extra);
            return s;
        }
    }
}
