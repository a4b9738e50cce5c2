package io.switchboard.server.transport;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.switchboard.protocol.Codec;
import io.switchboard.server.DeskLoop;
import io.switchboard.server.desk.Desk;

/**
 * Wires one connection's pipeline, and nothing else. In order:
 *
 * <pre>
 *   bytes → {@value #HTTP_CODEC} → {@value #HTTP_AGGREGATOR} → {@value #WEBSOCKET_PROTOCOL}
 *         → {@value #WEBSOCKET_AGGREGATOR} → {@value #WEBSOCKET_FRAMES} (to the desk)
 *                                        ↘ {@value #HTTP_FALLBACK} (plain HTTP)
 * </pre>
 *
 * The WebSocket protocol handler does the handshake on {@code /ws} (a query string is fine), pings, close frames, and frame size limits
 * (1009); requests on other paths pass it by and reach the HTTP handler.
 */
public final class ServerPipeline extends ChannelInitializer<SocketChannel> {
    public static final String HTTP_CODEC = "http-codec";
    public static final String HTTP_AGGREGATOR = "http-aggregator";
    public static final String WEBSOCKET_PROTOCOL = "websocket-protocol";
    public static final String WEBSOCKET_AGGREGATOR = "websocket-aggregator";
    public static final String WEBSOCKET_FRAMES = "websocket-frames";
    public static final String HTTP_FALLBACK = "http-fallback";

    static final String WEBSOCKET_PATH = "/ws";
    private static final int MAX_HTTP_BODY = 65_536;

    private final Codec codec;
    private final DeskLoop loop;
    private final Desk desk;
    private final ServerState state;
    private final WebSocketServerProtocolConfig webSocketConfig;
    private final int maxFrameBytes;

    public ServerPipeline(Codec codec, DeskLoop loop, Desk desk, ServerState state, int maxFrameBytes) {
        this.codec = codec;
        this.loop = loop;
        this.desk = desk;
        this.state = state;
        this.maxFrameBytes = maxFrameBytes;
        this.webSocketConfig = WebSocketServerProtocolConfig.newBuilder()
                .websocketPath(WEBSOCKET_PATH)
                .checkStartsWith(true)
                .handleCloseFrames(true)
                .dropPongFrames(true)
                .decoderConfig(WebSocketDecoderConfig.newBuilder()
                        .maxFramePayloadLength(maxFrameBytes)
                        .allowExtensions(false)
                        .allowMaskMismatch(false)
                        .withUTF8Validator(true)
                        .closeOnProtocolViolation(true)
                        .build())
                .build();
    }

    @Override
    protected void initChannel(SocketChannel channel) {
        ChannelPipeline pipeline = channel.pipeline();
        pipeline.addLast(HTTP_CODEC, new HttpServerCodec());
        pipeline.addLast(HTTP_AGGREGATOR, new HttpObjectAggregator(MAX_HTTP_BODY));
        pipeline.addLast(WEBSOCKET_PROTOCOL, new WebSocketServerProtocolHandler(webSocketConfig));
        pipeline.addLast(WEBSOCKET_AGGREGATOR, new WebSocketFrameAggregator(maxFrameBytes));
        pipeline.addLast(WEBSOCKET_FRAMES, new WebSocketFrameHandler(codec, loop, desk, state));
        pipeline.addLast(HTTP_FALLBACK, new HttpFallbackHandler(state));
    }
}
