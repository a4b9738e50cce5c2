package io.switchboard.loadtest.load;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketVersion;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.concurrent.CompletableFuture;

/**
 * The load generator's WebSocket client on Netty: connections spread over source addresses 127.0.0.1 to 127.0.0.N
 * (each has its own ephemeral ports), one event loop per core. A connection completes when its handshake does.
 */
final class Connections implements AutoCloseable {
    /** What a connection hears; called on its event loop. */
    interface Listener {
        void onText(Conn connection, String text, long nanos);

        default void onClosed(Conn connection) {
        }
    }

    /** One client connection. */
    static final class Conn {
        final int index;
        final Listener listener;
        volatile Channel channel;
        volatile boolean open;
        /** Scenario state, set by the scenario. */
        volatile Object state;

        Conn(int index, Listener listener) {
            this.index = index;
            this.listener = listener;
        }

        void send(String text) {
            Channel c = channel;
            if (c != null) {
                c.writeAndFlush(new TextWebSocketFrame(text));
            }
        }

    }

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(
            Math.max(2, Runtime.getRuntime().availableProcessors()), NioIoHandler.newFactory());
    private final java.util.function.IntFunction<URI> uris;
    private final int sources;

    Connections(URI uri, int sources) {
        this(index -> uri, sources);
    }

    /** Connections where connection {@code index} goes to {@code uris.apply(index)} (a cluster's nodes). */
    Connections(java.util.function.IntFunction<URI> uris, int sources) {
        this.uris = uris;
        this.sources = sources;
    }

    /** Opens connection {@code index} from source address 127.0.0.(1 + index % sources). */
    CompletableFuture<Conn> open(int index, Listener listener) {
        return open(index, sources == 1 ? null : "127.0.0." + (1 + index % sources), listener);
    }

    /** Opens connection {@code index} from a given loopback source address (null: the system's choice). */
    CompletableFuture<Conn> open(int index, String source, Listener listener) {
        Conn conn = new Conn(index, listener);
        CompletableFuture<Conn> done = new CompletableFuture<>();
        URI uri = uris.apply(index);
        WebSocketClientProtocolConfig config = WebSocketClientProtocolConfig.newBuilder()
                .webSocketUri(uri)
                .version(WebSocketVersion.V13)
                .maxFramePayloadLength(1 << 20)
                .handleCloseFrames(true)
                .dropPongFrames(true)
                .handshakeTimeoutMillis(30_000)
                .build();
        Bootstrap bootstrap = new Bootstrap().group(group)
                .channel(NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 30_000)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel channel) {
                        channel.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(65_536),
                                new WebSocketClientProtocolHandler(config), new Frames(conn, done));
                    }
                });
        InetSocketAddress remote = new InetSocketAddress(uri.getHost(), uri.getPort());
        // One source address: let connect() pick the port (binding to port 0 first makes the kernel search ports
        // without knowing the destination, which gets slow as they fill).
        var connecting = source == null ? bootstrap.connect(remote)
                : bootstrap.connect(remote, new InetSocketAddress(source, 0));
        connecting.addListener(f -> {
            if (!f.isSuccess()) {
                done.completeExceptionally(f.cause());
            }
        });
        return done;
    }

    private static final class Frames extends SimpleChannelInboundHandler<WebSocketFrame> {
        private final Conn conn;
        private final CompletableFuture<Conn> done;

        Frames(Conn conn, CompletableFuture<Conn> done) {
            this.conn = conn;
            this.done = done;
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext context, Object event) throws Exception {
            if (event == WebSocketClientProtocolHandler.ClientHandshakeStateEvent.HANDSHAKE_COMPLETE) {
                conn.channel = context.channel();
                conn.open = true;
                done.complete(conn);
            } else if (event == WebSocketClientProtocolHandler.ClientHandshakeStateEvent.HANDSHAKE_TIMEOUT) {
                done.completeExceptionally(new IllegalStateException("handshake timed out"));
            }
            super.userEventTriggered(context, event);
        }

        @Override
        protected void channelRead0(ChannelHandlerContext context, WebSocketFrame frame) {
            if (frame instanceof TextWebSocketFrame text) {
                conn.listener.onText(conn, text.text(), System.nanoTime());
            } else if (frame instanceof CloseWebSocketFrame) {
                context.close();
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext context) throws Exception {
            boolean wasOpen = conn.open;
            conn.open = false;
            if (!done.isDone()) {
                done.completeExceptionally(new IllegalStateException("closed before the handshake"));
            } else if (wasOpen) {
                conn.listener.onClosed(conn);
            }
            super.channelInactive(context);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext context, Throwable cause) {
            if (!done.isDone()) {
                done.completeExceptionally(cause);
            }
            context.close();
        }
    }

    EventLoopGroup group() {
        return group;
    }

    @Override
    public void close() {
        group.shutdownGracefully(0, 2, java.util.concurrent.TimeUnit.SECONDS).awaitUninterruptibly(10_000);
    }
}
