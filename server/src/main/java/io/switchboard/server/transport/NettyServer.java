package io.switchboard.server.transport;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * The listening socket and its event loops: binds the {@link ServerPipeline} on a host and port, and on {@link #close}
 * stops accepting, tells every WebSocket 1001 (going away), closes every event stream and stops the loops, within the
 * time it is given.
 */
public final class NettyServer implements AutoCloseable {
    private final Transport transport;
    private final EventLoopGroup bossGroup = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final EventLoopGroup workerGroup = new MultiThreadIoEventLoopGroup(NioIoHandler.newFactory());
    private Channel serverChannel;

    private NettyServer(Transport transport) {
        this.transport = transport;
    }

    /** Binds and returns once the server listens. */
    public static NettyServer bind(Transport transport, String host, int port) throws InterruptedException {
        NettyServer server = new NettyServer(transport);
        ConnectionRules rules = transport.rules();
        try {
            ServerBootstrap bootstrap = new ServerBootstrap()
                    .group(server.bossGroup, server.workerGroup)
                    .channel(NioServerSocketChannel.class)
                    .option(ChannelOption.SO_BACKLOG, 4096)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    // Writability follows the slow-reader limit: a connection is unwritable exactly when its unsent
                    // output passes limits.slow_reader_bytes, which is when the outbox closes it (1008).
                    .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(
                            (int) Math.min(Integer.MAX_VALUE, rules.slowReaderBytes() / 2),
                            (int) Math.min(Integer.MAX_VALUE, rules.slowReaderBytes())))
                    .childHandler(new ServerPipeline(transport));
            server.serverChannel = bootstrap.bind(host, port).sync().channel();
        } catch (RuntimeException | InterruptedException e) {
            server.close(1_000);
            throw e;
        }
        return server;
    }

    /** The port it listens on (the real one when asked for port 0). */
    public int port() {
        return ((InetSocketAddress) serverChannel.localAddress()).getPort();
    }

    /** Drops every WebSocket at once, without a close frame (tests: clients must come back by themselves). */
    public void dropWebSockets() {
        transport.webSockets().close().awaitUninterruptibly();
    }

    @Override
    public void close() {
        close(10_000);
    }

    /** Stops accepting, tells WebSockets 1001, closes streams and stops the loops, within {@code timeoutMs}. */
    public void close(long timeoutMs) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        if (serverChannel != null) {
            serverChannel.close().awaitUninterruptibly(remainingMs(deadline));
        }
        transport.webSockets().writeAndFlush(new CloseWebSocketFrame(WebSocketCloseStatus.ENDPOINT_UNAVAILABLE,
                "server shutting down")).awaitUninterruptibly(remainingMs(deadline) / 2);
        transport.webSockets().close().awaitUninterruptibly(remainingMs(deadline) / 2);
        transport.eventStreams().close().awaitUninterruptibly(remainingMs(deadline) / 2);
        workerGroup.shutdownGracefully(0, remainingMs(deadline), TimeUnit.MILLISECONDS)
                .awaitUninterruptibly(remainingMs(deadline));
        bossGroup.shutdownGracefully(0, remainingMs(deadline), TimeUnit.MILLISECONDS)
                .awaitUninterruptibly(remainingMs(deadline));
    }

    private static long remainingMs(long deadlineNanos) {
        return Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime()));
    }
}
