package io.parley.spring.boot.autoconfigure;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.NestedConfigurationProperty;
import org.springframework.util.unit.DataSize;

/**
 * Configuration properties for Parley, under {@code parley.*}.
 */
@ConfigurationProperties("parley")
public class ParleyProperties {

    @NestedConfigurationProperty
    private final Server server = new Server();

    @NestedConfigurationProperty
    private final Client client = new Client();

    public Server getServer() {
        return this.server;
    }

    public Client getClient() {
        return this.client;
    }

    /** The transports Parley speaks over: RSocket on TCP or on WebSocket, or in-process. */
    public enum Transport {

        /** RSocket over TCP. */
        TCP,

        /** RSocket over WebSocket. */
        WEBSOCKET,

        /**
         * Core's in-process transport, without sockets: the server is reached only by the
         * application's own client (empty {@code parley.client.targets}). For tests; see
         * {@code @AutoConfigureParleyInProcess}.
         */
        IN_PROCESS
    }

    /** The server for the application's {@code @ParleyService} beans. */
    public static class Server {

        /**
         * Whether to serve the application's @ParleyService methods.
         */
        private boolean enabled = true;

        /**
         * Server port; 0 for any free port. The bound port is published as 'local.parley.server.port'.
         */
        private int port = 7070;

        /**
         * Network address the server binds to.
         */
        private String address = "0.0.0.0";

        /**
         * Transport the server listens on.
         */
        private Transport transport = Transport.TCP;

        /**
         * Path at which to serve Parley over WebSocket on the application's own WebFlux server
         * (Reactor Netty), instead of on a port of its own.
         */
        private @Nullable String mappingPath;

        /**
         * Largest encoded request accepted; a larger one ends with RPC_S_SERVER_OUT_OF_MEMORY.
         */
        private DataSize maxInboundPayloadSize = DataSize.ofMegabytes(4);

        /**
         * Most calls in flight on one connection; one more ends with RPC_S_SERVER_TOO_BUSY. No limit when unset.
         */
        private @Nullable Integer maxCallsPerConnection;

        /**
         * How long a handler may run on after its client cancelled a call before the server ends
         * the call itself (RPC_S_CALL_CANCELLED to a client still waiting); 0 for no limit.
         */
        private Duration cancelGrace = Duration.ofSeconds(30);

        @NestedConfigurationProperty
        private final Admission admission = new Admission();

        @NestedConfigurationProperty
        private final Leases leases = new Leases();

        @NestedConfigurationProperty
        private final Resume resume = new Resume();

        @NestedConfigurationProperty
        private final Ssl ssl = new Ssl();

        @NestedConfigurationProperty
        private final Security security = new Security();

        public boolean isEnabled() {
            return this.enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        public int getPort() {
            return this.port;
        }

        public void setPort(int port) {
            this.port = port;
        }

        public String getAddress() {
            return this.address;
        }

        public void setAddress(String address) {
            this.address = address;
        }

        public Transport getTransport() {
            return this.transport;
        }

        public void setTransport(Transport transport) {
            this.transport = transport;
        }

        public @Nullable String getMappingPath() {
            return this.mappingPath;
        }

        public void setMappingPath(@Nullable String mappingPath) {
            this.mappingPath = mappingPath;
        }

        public DataSize getMaxInboundPayloadSize() {
            return this.maxInboundPayloadSize;
        }

        public void setMaxInboundPayloadSize(DataSize maxInboundPayloadSize) {
            this.maxInboundPayloadSize = maxInboundPayloadSize;
        }

        public @Nullable Integer getMaxCallsPerConnection() {
            return this.maxCallsPerConnection;
        }

        public void setMaxCallsPerConnection(@Nullable Integer maxCallsPerConnection) {
            this.maxCallsPerConnection = maxCallsPerConnection;
        }

        public Duration getCancelGrace() {
            return this.cancelGrace;
        }

        public void setCancelGrace(Duration cancelGrace) {
            this.cancelGrace = cancelGrace;
        }

        public Admission getAdmission() {
            return this.admission;
        }

        public Leases getLeases() {
            return this.leases;
        }

        public Resume getResume() {
            return this.resume;
        }

        public Ssl getSsl() {
            return this.ssl;
        }

        public Security getSecurity() {
            return this.security;
        }
    }

    /** RSocket leases: the server tells each client how many calls it may send. */
    public static class Leases {

        /**
         * Whether the server sends its clients RSocket leases sized from its free capacity under
         * parley.server.admission.max-calls-in-flight; clients must honour them (parley.client.leases).
         */
        private boolean enabled;

        /**
         * How long each lease lives; leases are renewed twice as often.
         */
        private Duration timeToLive = Duration.ofSeconds(2);

        public boolean isEnabled() {
            return this.enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        public Duration getTimeToLive() {
            return this.timeToLive;
        }

        public void setTimeToLive(Duration timeToLive) {
            this.timeToLive = timeToLive;
        }
    }

    /** RSocket session resumption: calls in flight survive a connection that drops and comes back. */
    public static class Resume {

        /**
         * Whether RSocket sessions resume after their connection drops; for one server, not for a
         * fleet behind a balancer, where a session's token does not follow.
         */
        private boolean enabled;

        /**
         * How long a session waits for its connection to come back; past it its calls end with RPC_S_COMM_FAILURE.
         */
        private Duration window = Duration.ofMinutes(1);

        public boolean isEnabled() {
            return this.enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        public Duration getWindow() {
            return this.window;
        }

        public void setWindow(Duration window) {
            this.window = window;
        }
    }

    /** How a client spreads its calls over several servers. */
    public enum Balance {

        /** In turn (RSocket's round-robin strategy). */
        ROUND_ROBIN,

        /** By measured latency and load (RSocket's weighted strategy). */
        WEIGHTED
    }

    /** Servers found through Spring Cloud's discovery client instead of fixed targets. */
    public static class Discovery {

        /**
         * Service id whose instances, from the application's ReactiveDiscoveryClient (Spring
         * Cloud Commons), are the client's servers; instead of parley.client.targets.
         */
        private @Nullable String serviceId;

        /**
         * How often the instances are asked for again: servers that appear are used, those that
         * leave are drained.
         */
        private Duration refreshInterval = Duration.ofSeconds(10);

        /**
         * Instance metadata key holding an instance's Parley port; instances without it are not used.
         */
        private String portMetadataKey = "parley.port";

        public @Nullable String getServiceId() {
            return this.serviceId;
        }

        public void setServiceId(@Nullable String serviceId) {
            this.serviceId = serviceId;
        }

        public Duration getRefreshInterval() {
            return this.refreshInterval;
        }

        public void setRefreshInterval(Duration refreshInterval) {
            this.refreshInterval = refreshInterval;
        }

        public String getPortMetadataKey() {
            return this.portMetadataKey;
        }

        public void setPortMetadataKey(String portMetadataKey) {
            this.portMetadataKey = portMetadataKey;
        }
    }

    /** The server-wide limit on calls in flight, across connections. */
    public static class Admission {

        /**
         * Most calls in flight on the whole server, across connections; past it calls wait in a
         * queue, and past the queue they end at once with RPC_S_SERVER_TOO_BUSY. No limit when unset.
         */
        private @Nullable Integer maxCallsInFlight;

        /**
         * Most calls waiting for a place under max-calls-in-flight; as many as max-calls-in-flight when unset.
         */
        private @Nullable Integer maxQueued;

        /**
         * How long a call may wait for a place before it ends with RPC_S_SERVER_TOO_BUSY.
         */
        private Duration maxWait = Duration.ofSeconds(1);

        public @Nullable Integer getMaxCallsInFlight() {
            return this.maxCallsInFlight;
        }

        public void setMaxCallsInFlight(@Nullable Integer maxCallsInFlight) {
            this.maxCallsInFlight = maxCallsInFlight;
        }

        public @Nullable Integer getMaxQueued() {
            return this.maxQueued;
        }

        public void setMaxQueued(@Nullable Integer maxQueued) {
            this.maxQueued = maxQueued;
        }

        public Duration getMaxWait() {
            return this.maxWait;
        }

        public void setMaxWait(Duration maxWait) {
            this.maxWait = maxWait;
        }
    }

    /** Who may call the server. */
    public static class Security {

        /**
         * Whether the application's Spring Security authentication (a ReactiveAuthenticationManager,
         * ReactiveUserDetailsService or ReactiveJwtDecoder bean) checks the credentials of Parley calls.
         */
        private boolean enabled = true;

        /**
         * Whether every call must bring credentials the server accepts; a call without them ends with
         * RPC_S_ACCESS_DENIED. A method's own access rule still wins.
         */
        private boolean requireAuthentication;

        public boolean isEnabled() {
            return this.enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        public boolean isRequireAuthentication() {
            return this.requireAuthentication;
        }

        public void setRequireAuthentication(boolean requireAuthentication) {
            this.requireAuthentication = requireAuthentication;
        }
    }

    /** The client that the application's {@code @ParleyStub} interfaces call through. */
    public static class Client {

        /**
         * Servers to call: 'host:port' for TCP, or a 'ws://' or 'wss://' URL for WebSocket. With
         * several, calls are spread round-robin. When empty, the application's own Parley server.
         */
        private List<String> targets = new ArrayList<>();

        /**
         * Transport used to reach 'host:port' targets.
         */
        private Transport transport = Transport.TCP;

        /**
         * Longest wait for a connection to a server; past it, calls end with RPC_S_SERVER_UNAVAILABLE.
         */
        private Duration connectTimeout = Duration.ofSeconds(10);

        @NestedConfigurationProperty
        private final Timeout timeout = new Timeout();

        @NestedConfigurationProperty
        private final Ssl ssl = new Ssl();

        @NestedConfigurationProperty
        private final Credentials credentials = new Credentials();

        @NestedConfigurationProperty
        private final Discovery discovery = new Discovery();

        /**
         * Whether the client honours its servers' RSocket leases: it sends a server no more calls
         * than its last lease allows, and a weighted balancer steers calls to servers with room.
         * Required by servers with parley.server.leases.enabled.
         */
        private boolean leases;

        @NestedConfigurationProperty
        private final Resume resume = new Resume();

        /**
         * How calls are spread over several servers (parley.client.targets, or those discovered):
         * in turn, or by RSocket's weighted strategy (latency, load and, with leases, each
         * server's own word on what it can take).
         */
        private Balance balance = Balance.ROUND_ROBIN;

        public Discovery getDiscovery() {
            return this.discovery;
        }

        public boolean isLeases() {
            return this.leases;
        }

        public void setLeases(boolean leases) {
            this.leases = leases;
        }

        public Resume getResume() {
            return this.resume;
        }

        public Balance getBalance() {
            return this.balance;
        }

        public void setBalance(Balance balance) {
            this.balance = balance;
        }

        @NestedConfigurationProperty
        private final Retry retry = new Retry();

        public List<String> getTargets() {
            return this.targets;
        }

        public void setTargets(List<String> targets) {
            this.targets = targets;
        }

        public Transport getTransport() {
            return this.transport;
        }

        public void setTransport(Transport transport) {
            this.transport = transport;
        }

        public Duration getConnectTimeout() {
            return this.connectTimeout;
        }

        public void setConnectTimeout(Duration connectTimeout) {
            this.connectTimeout = connectTimeout;
        }

        public Timeout getTimeout() {
            return this.timeout;
        }

        public Ssl getSsl() {
            return this.ssl;
        }

        public Credentials getCredentials() {
            return this.credentials;
        }

        public Retry getRetry() {
            return this.retry;
        }
    }

    /**
     * How calls are sent again: a call that never left the client, and a call of an idempotent
     * method refused as too busy or unavailable or cut by a connection failure, within its deadline.
     */
    public static class Retry {

        /**
         * Attempts in all, the first included; 1 turns retries off.
         */
        private int maxAttempts = 3;

        /**
         * Backoff before the first retry; it doubles for each further one, less up to half as jitter.
         */
        private Duration firstBackoff = Duration.ofMillis(50);

        /**
         * Longest backoff between two attempts.
         */
        private Duration maxBackoff = Duration.ofSeconds(1);

        public int getMaxAttempts() {
            return this.maxAttempts;
        }

        public void setMaxAttempts(int maxAttempts) {
            this.maxAttempts = maxAttempts;
        }

        public Duration getFirstBackoff() {
            return this.firstBackoff;
        }

        public void setFirstBackoff(Duration firstBackoff) {
            this.firstBackoff = firstBackoff;
        }

        public Duration getMaxBackoff() {
            return this.maxBackoff;
        }

        public void setMaxBackoff(Duration maxBackoff) {
            this.maxBackoff = maxBackoff;
        }
    }

    /**
     * What the client proves its identity with, sent when it connects (RSocket's authentication
     * metadata in SETUP): a username and a password, or a bearer token.
     */
    public static class Credentials {

        /**
         * Username of simple credentials; needs a password.
         */
        private @Nullable String username;

        /**
         * Password of simple credentials.
         */
        private @Nullable String password;

        /**
         * Bearer token, such as a JWT, instead of a username and a password.
         */
        private @Nullable String bearerToken;

        public @Nullable String getUsername() {
            return this.username;
        }

        public void setUsername(@Nullable String username) {
            this.username = username;
        }

        public @Nullable String getPassword() {
            return this.password;
        }

        public void setPassword(@Nullable String password) {
            this.password = password;
        }

        public @Nullable String getBearerToken() {
            return this.bearerToken;
        }

        public void setBearerToken(@Nullable String bearerToken) {
            this.bearerToken = bearerToken;
        }

        @Override
        public String toString() {
            return "Credentials{username=" + this.username + ", password=" + (this.password != null ? "****" : null)
                    + ", bearerToken=" + (this.bearerToken != null ? "****" : null) + "}";
        }
    }

    /** A call's default time bounds, as in MS-RPC: a graceful cancel first, an abortive one later. */
    public static class Timeout {

        /**
         * Time after which a call is cancelled gracefully: the server's testCancel() turns RPC_S_OK
         * and the client keeps waiting for its answer. None when unset.
         */
        private @Nullable Duration graceful;

        /**
         * Time after which a call is cancelled abortively and ends with RPC_S_TIMEOUT. None when unset.
         */
        private @Nullable Duration abortive;

        public @Nullable Duration getGraceful() {
            return this.graceful;
        }

        public void setGraceful(@Nullable Duration graceful) {
            this.graceful = graceful;
        }

        public @Nullable Duration getAbortive() {
            return this.abortive;
        }

        public void setAbortive(@Nullable Duration abortive) {
            this.abortive = abortive;
        }
    }

    /** TLS, from one of the application's SSL bundles ('spring.ssl.bundle.*'). */
    public static class Ssl {

        /**
         * Whether to use TLS.
         */
        private boolean enabled;

        /**
         * Name of the SSL bundle holding the key (server) or the trusted certificates (client).
         */
        private @Nullable String bundle;

        public boolean isEnabled() {
            return this.enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        public @Nullable String getBundle() {
            return this.bundle;
        }

        public void setBundle(@Nullable String bundle) {
            this.bundle = bundle;
        }
    }
}
