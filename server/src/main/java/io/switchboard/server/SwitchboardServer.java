package io.switchboard.server;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.switchboard.protocol.Codec;
import io.switchboard.server.config.ServerConfig;
import io.switchboard.server.desk.Desk;
import io.switchboard.server.desk.DeskClock;
import io.switchboard.server.metrics.ServerMetrics;
import io.switchboard.server.transport.HttpServices;
import io.switchboard.server.desk.EstimateMethod;
import io.switchboard.server.desk.Ids;
import io.switchboard.server.store.Commits;
import io.switchboard.server.store.SqliteStore;
import io.switchboard.server.store.StoreFaults;
import java.nio.file.Path;
import io.switchboard.server.transport.ChannelOutbox;
import io.switchboard.server.transport.ServerPipeline;
import io.switchboard.server.transport.ServerState;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One running server: the desk on its thread and the Netty transport on one port. */
public final class SwitchboardServer implements ServerState, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SwitchboardServer.class);
    private static final long START_TIMEOUT_MS = 10_000;
    /** Reading back a large data directory (a million messages) takes seconds, not minutes. */
    private static final long RESTORE_TIMEOUT_MS = 120_000;

    private final ServerConfig config;
    private final DeskLoop loop = new DeskLoop();
    private final ServerMetrics metrics = new ServerMetrics();
    private final ChannelGroup webSockets = new DefaultChannelGroup("websockets", GlobalEventExecutor.INSTANCE);
    private final ChannelGroup eventStreams = new DefaultChannelGroup("event-streams", GlobalEventExecutor.INSTANCE);
    private final EventLoopGroup bossGroup = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final EventLoopGroup workerGroup = new MultiThreadIoEventLoopGroup(NioIoHandler.newFactory());
    private volatile boolean draining;
    private Channel serverChannel;
    private Desk desk;
    private final Commits commits = new Commits();
    private SqliteStore store;

    private SwitchboardServer(ServerConfig config) {
        this.config = config;
    }

    /** Starts a server and returns once it listens. */
    public static SwitchboardServer start(ServerConfig config) throws InterruptedException {
        return start(config, null, StoreFaults.NONE);
    }

    /**
     * Starts a server whose desk keeps time with {@code clock} (tests: a {@code ManualClock} that only moves when the
     * test advances it on the desk's thread, see {@link #onDesk}); null for the real clock.
     */
    static SwitchboardServer start(ServerConfig config, DeskClock clock) throws InterruptedException {
        return start(config, clock, StoreFaults.NONE);
    }

    /** Starts a server whose store fails its commits as {@code faults} says (tests of a failing disk). */
    static SwitchboardServer start(ServerConfig config, DeskClock clock, StoreFaults faults)
            throws InterruptedException {
        SwitchboardServer server = new SwitchboardServer(config);
        try {
            server.bind(clock == null ? server.loop : clock, faults);
        } catch (RuntimeException | InterruptedException e) {
            server.close();
            throw e;
        }
        return server;
    }

    private void bind(DeskClock clock, StoreFaults faults) throws InterruptedException {
        Codec codec = new Codec();
        long started = System.nanoTime();
        store = SqliteStore.open(Path.of(config.dataDir()), new SqliteStore.Options(config.durability(),
                config.timings().storeRetryMaxMs(), config.limits().storeQueueTurns(), faults), commits,
                metrics::committed);
        // What a turn says leaves only once the changes it made are durable (see Commits).
        ChannelOutbox outbox = new ChannelOutbox(codec, config.limits().slowReaderBytes(), commits);
        loop.onEndOfTurn(outbox::flush);
        desk = loop.call(() -> {
            Desk restored = new Desk(config, clock, outbox, Ids.secure(), metrics, EstimateMethod.SWITCHBOARD, store);
            restored.restore(store.load());
            return restored;
        }, RESTORE_TIMEOUT_MS);
        store.start();
        log.info("data in {} ({} durability), ready in {} ms", store.dir().toAbsolutePath(),
                config.durability().wire(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
        HttpServices services = HttpServices.of(config, codec, loop, desk, this, metrics, commits);
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(bossGroup, workerGroup)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 4096)
                .childOption(ChannelOption.TCP_NODELAY, true)
                // Writability follows the slow-reader limit: a connection is unwritable exactly when its unsent
                // output passes limits.slow_reader_bytes, which is when the outbox closes it (1008).
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new io.netty.channel.WriteBufferWaterMark(
                        (int) Math.min(Integer.MAX_VALUE, config.limits().slowReaderBytes() / 2),
                        (int) Math.min(Integer.MAX_VALUE, config.limits().slowReaderBytes())))
                .childHandler(new ServerPipeline(services, config.limits().maxFrameBytes(),
                        config.limits().maxHttpBodyBytes()));
        serverChannel = bootstrap.bind(config.host(), config.port()).sync().channel();
    }

    /** The port it listens on (the real one when configured with port 0). */
    public int port() {
        return ((InetSocketAddress) serverChannel.localAddress()).getPort();
    }

    /** The host it listens on. */
    public String host() {
        return config.host();
    }

    @Override
    public ChannelGroup webSockets() {
        return webSockets;
    }

    @Override
    public ChannelGroup eventStreams() {
        return eventStreams;
    }

    /** Runs a task on the desk's thread and returns its result (tests: advance a manual clock, look at state). */
    <T> T onDesk(java.util.concurrent.Callable<T> task) {
        return loop.call(task, START_TIMEOUT_MS);
    }

    @Override
    public boolean draining() {
        return draining;
    }

    @Override
    public boolean storeFailing() {
        return store != null && store.failing();
    }

    /**
     * Stops: no new connections, health says 503, every WebSocket is told 1001 (going away), and everything is down
     * within {@code shutdown_grace_ms}.
     */
    @Override
    public void close() {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(config.timings().shutdownGraceMs());
        draining = true;
        if (serverChannel != null) {
            serverChannel.close().awaitUninterruptibly(remainingMs(deadline));
        }
        webSockets.writeAndFlush(new CloseWebSocketFrame(WebSocketCloseStatus.ENDPOINT_UNAVAILABLE,
                "server shutting down")).awaitUninterruptibly(remainingMs(deadline) / 2);
        webSockets.close().awaitUninterruptibly(remainingMs(deadline) / 2);
        eventStreams.close().awaitUninterruptibly(remainingMs(deadline) / 2);
        workerGroup.shutdownGracefully(0, remainingMs(deadline), TimeUnit.MILLISECONDS)
                .awaitUninterruptibly(remainingMs(deadline));
        bossGroup.shutdownGracefully(0, remainingMs(deadline), TimeUnit.MILLISECONDS)
                .awaitUninterruptibly(remainingMs(deadline));
        loop.shutdown(remainingMs(deadline));
        if (store != null) {
            store.close(remainingMs(deadline));
        }
        log.info("stopped");
    }

    private static long remainingMs(long deadlineNanos) {
        return Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime()));
    }
}
