package io.switchboard.server.transport;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketVersion;
import io.switchboard.server.desk.Desk;
import io.switchboard.server.gate.Placement;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * A client's WebSocket relayed to the node that owns its account: one upstream WebSocket per client, on the client's
 * own event loop (no thread crossing), carrying the client's text frames up and the owner's frames down as they are,
 * never decoded or encoded again. TCP keeps their order and pushes back: each side stops reading while the other
 * cannot take more. When the owner goes (it died, or gave the account up, or the account moved: {@link #moved}) the
 * client is closed with 1012 and comes back by resuming on whichever node it reaches; a close the owner sends is passed
 * on as it is. If the owner cannot be reached before the upstream handshake, nothing was delivered, and the frames go
 * back to the caller to try again ({@code unreachable}).
 */
final class PeerSocket extends SimpleChannelInboundHandler<WebSocketFrame> {
    private static final long HANDSHAKE_TIMEOUT_MS = 5_000;
    /**
     * The largest frame taken from an owner. Clients' frames are bounded by {@code max_frame_bytes}; the server's own
     * are not (a snapshot of a long queue, a page of history), and an owner, which showed the cluster's secret, is
     * trusted to send them.
     */
    static final int MAX_OWNER_FRAME_BYTES = 64 << 20;

    private final Channel client;
    private final Transport transport;
    private final Consumer<List<String>> unreachable;
    private final long startedAt = System.nanoTime();
    private List<String> pending;
    private Channel upstream;
    private boolean open;
    private boolean done;

    private PeerSocket(Channel client, Transport transport, List<String> pending, Consumer<List<String>> unreachable) {
        this.client = client;
        this.transport = transport;
        this.pending = new ArrayList<>(pending);
        this.unreachable = unreachable;
    }

    /** Opens the relay of {@code client} to {@code owner}, sending {@code texts} first. Client's event loop. */
    static PeerSocket open(Channel client, Transport transport, Placement.Owner owner, String clientAddress,
                           List<String> texts, Consumer<List<String>> unreachable) {
        PeerSocket relay = new PeerSocket(client, transport, texts, unreachable);
        HttpHeaders headers = new DefaultHttpHeaders();
        Peers.mark(headers, transport.placement(), clientAddress);
        WebSocketClientProtocolConfig config = WebSocketClientProtocolConfig.newBuilder()
                .webSocketUri(URI.create("ws://" + hostPort(owner) + ServerPipeline.WEBSOCKET_PATH))
                .version(WebSocketVersion.V13)
                .customHeaders(headers)
                .maxFramePayloadLength(MAX_OWNER_FRAME_BYTES)
                .handleCloseFrames(false)
                .dropPongFrames(true)
                .generateOriginHeader(false)
                .handshakeTimeoutMillis(HANDSHAKE_TIMEOUT_MS)
                .build();
        new Bootstrap()
                .group(client.eventLoop())
                .channel(NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) HANDSHAKE_TIMEOUT_MS)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel channel) {
                        channel.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(65_536),
                                new WebSocketClientProtocolHandler(config),
                                new WebSocketFrameAggregator(MAX_OWNER_FRAME_BYTES),
                                relay);
                    }
                })
                .connect(owner.host(), owner.port())
                .addListener((ChannelFutureListener) connected -> {
                    if (connected.isSuccess()) {
                        relay.upstream = connected.channel();
                        if (!client.isActive()) {
                            relay.upstream.close();
                        }
                    } else {
                        relay.failedBeforeOpen();
                    }
                });
        return relay;
    }

    private static String hostPort(Placement.Owner owner) {
        String host = owner.host();
        return (host.indexOf(':') >= 0 && !host.startsWith("[") ? "[" + host + "]" : host) + ":" + owner.port();
    }

    /** A text frame from the client. Client's event loop. */
    void send(String text) {
        if (open) {
            upstream.writeAndFlush(new TextWebSocketFrame(text));
            if (!upstream.isWritable()) {
                client.config().setAutoRead(false);
            }
        } else if (pending != null) {
            pending.add(text);
        }
    }

    /** The client went away. Client's event loop. */
    void clientClosed() {
        done = true;
        if (upstream != null) {
            upstream.close();
        }
    }

    /** The account's owner is no longer the one this relay reaches: the client goes and finds the new one. */
    void moved() {
        if (done) {
            return;
        }
        transport.metrics().forwardBreak("moved");
        closeClient("this conversation moved to another server: reconnect and resume");
    }

    private void failedBeforeOpen() {
        if (done || open) {
            return;
        }
        done = true;
        List<String> texts = pending;
        pending = null;
        if (upstream != null) {
            upstream.close();
        }
        if (client.isActive()) {
            unreachable.accept(texts);
        }
    }

    private void closeClient(String reason) {
        done = true;
        if (client.isActive()) {
            client.writeAndFlush(new CloseWebSocketFrame(Desk.CLOSE_DESK_MOVED, reason))
                    .addListener(ChannelFutureListener.CLOSE);
        }
        if (upstream != null) {
            upstream.close();
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext context, Object event) throws Exception {
        if (event == WebSocketClientProtocolHandler.ClientHandshakeStateEvent.HANDSHAKE_COMPLETE) {
            open = true;
            transport.metrics().forwarded("websocket", System.nanoTime() - startedAt);
            List<String> texts = pending;
            pending = null;
            for (String text : texts) {
                context.write(new TextWebSocketFrame(text));
            }
            context.flush();
        } else if (event == WebSocketClientProtocolHandler.ClientHandshakeStateEvent.HANDSHAKE_TIMEOUT) {
            failedBeforeOpen();
        }
        super.userEventTriggered(context, event);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext context, WebSocketFrame frame) {
        if (frame instanceof TextWebSocketFrame text) {
            client.write(text.retain());
        } else if (frame instanceof CloseWebSocketFrame close) {
            done = true;
            if (client.isActive()) {
                client.writeAndFlush(new CloseWebSocketFrame(close.statusCode(), close.reasonText()))
                        .addListener(ChannelFutureListener.CLOSE);
            }
            context.close();
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext context) {
        client.flush();
        if (!client.isWritable()) {
            context.channel().config().setAutoRead(false);
            client.eventLoop().execute(this::resumeWhenWritable);
        }
    }

    /** Reads from the owner again once the client took what it was sent. */
    private void resumeWhenWritable() {
        if (client.isWritable() || !client.isActive()) {
            if (upstream != null) {
                upstream.config().setAutoRead(true);
            }
        } else {
            client.eventLoop().schedule(this::resumeWhenWritable, 10, java.util.concurrent.TimeUnit.MILLISECONDS);
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext context) {
        if (context.channel().isWritable()) {
            client.config().setAutoRead(true);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext context) {
        if (!open) {
            failedBeforeOpen();
            return;
        }
        if (!done) {
            transport.metrics().forwardBreak("owner_gone");
            closeClient("the server holding this conversation went away: reconnect and resume");
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext context, Throwable cause) {
        context.close();
    }
}
