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

/**
 * Wires one connection's pipeline, and nothing else. In order:
 *
 * <pre>
 *   bytes → {@value #ADDRESS_GATE} → {@value #DEADLINE} → {@value #HTTP_CODEC} → {@value #REQUEST_GUARD}
 *         → {@value #HTTP_AGGREGATOR} → {@value #UPGRADE_GUARD} → {@value #WEBSOCKET_PROTOCOL}
 *         → {@value #WEBSOCKET_AGGREGATOR} → {@value #CLOSE_HANDSHAKE} → {@value #WEBSOCKET_FRAMES} (to the desk)
 *                                        ↘ {@value #HTTP_ROUTES} (plain HTTP: REST, SSE, health, metrics)
 * </pre>
 *
 * The WebSocket protocol handler does the handshake on {@code /ws} (a query string is fine), pings and frame size
 * limits (1009); {@link CloseHandshake} answers close frames, once; requests on other paths, and requests on {@code /ws} that are no upgrade, pass it by and
 * reach the HTTP routes.
 */
public final class ServerPipeline extends ChannelInitializer<SocketChannel> {
    public static final String ADDRESS_GATE = "address-gate";
    public static final String DEADLINE = "connection-deadline";
    public static final String HTTP_CODEC = "http-codec";
    public static final String REQUEST_GUARD = "request-guard";
    public static final String HTTP_AGGREGATOR = "http-aggregator";
    public static final String UPGRADE_GUARD = "upgrade-guard";
    public static final String WEBSOCKET_PROTOCOL = "websocket-protocol";
    public static final String WEBSOCKET_AGGREGATOR = "websocket-aggregator";
    public static final String CLOSE_HANDSHAKE = "close-handshake";
    public static final String WEBSOCKET_FRAMES = "websocket-frames";
    public static final String HTTP_ROUTES = "http-routes";

    static final String WEBSOCKET_PATH = "/ws";

    private final Transport services;
    private final WebSocketServerProtocolConfig webSocketConfig;
    private final int maxFrameBytes;
    private final int maxHttpBodyBytes;

    ServerPipeline(Transport services) {
        this.services = services;
        this.maxFrameBytes = services.rules().maxFrameBytes();
        this.maxHttpBodyBytes = services.rules().maxHttpBodyBytes();
        this.webSocketConfig = protocolConfig(WEBSOCKET_PATH, true, maxFrameBytes, false);
    }

    /**
     * The conformance echo route for the Autobahn test suite (tests only, never in a running server): the same
     * WebSocket protocol configuration as {@code /ws} on path {@code /}, and every text or binary frame echoed back as
     * it came; pings are answered and close frames handled by the protocol handler as on {@code /ws}.
     */
    public static ChannelInitializer<SocketChannel> conformanceEcho(int maxFrameBytes) {
        WebSocketServerProtocolConfig config = protocolConfig("/", false, maxFrameBytes, true);
        return new ChannelInitializer<>() {
            @Override
            protected void initChannel(SocketChannel channel) {
                channel.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(65_536),
                        new WebSocketServerProtocolHandler(config), new ConformanceEcho());
            }
        };
    }

    private static WebSocketServerProtocolConfig protocolConfig(String path, boolean startsWith, int maxFrameBytes,
                                                                boolean handleCloseFrames) {
        return WebSocketServerProtocolConfig.newBuilder()
                .websocketPath(path)
                .checkStartsWith(startsWith)
                // The server's own pipeline answers close frames itself (CloseHandshake), once.
                .handleCloseFrames(handleCloseFrames)
                // Pongs reach the frame handler: they are the heartbeat's answers.
                .dropPongFrames(false)
                // No generic close frame (status 1000) on a close: every close the server starts sends its own
                // status (1001, 1003, 1008, 1009, 4000), and the decoder answers protocol errors with 1002 or 1007.
                .sendCloseFrame(null)
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
        pipeline.addLast(ADDRESS_GATE, new AddressGate(services.addresses(), services.connections(), services.metrics(),
                services.placement()));
        pipeline.addLast(DEADLINE, new ConnectionDeadline(services.rules().handshakeTimeoutMs(),
                services.rules().httpIdleMs()));
        pipeline.addLast(HTTP_CODEC, new HttpServerCodec());
        pipeline.addLast(REQUEST_GUARD, new RequestGuard(services));
        pipeline.addLast(HTTP_AGGREGATOR, new JsonHttpObjectAggregator(maxHttpBodyBytes, services));
        pipeline.addLast(UPGRADE_GUARD, new UpgradeGuard(services, WEBSOCKET_PATH));
        pipeline.addLast(WEBSOCKET_PROTOCOL, new WebSocketServerProtocolHandler(webSocketConfig));
        pipeline.addLast(WEBSOCKET_AGGREGATOR, new WebSocketFrameAggregator(maxFrameBytes));
        pipeline.addLast(CLOSE_HANDSHAKE, new CloseHandshake());
        pipeline.addLast(WEBSOCKET_FRAMES, new WebSocketFrameHandler(services));
        pipeline.addLast(HTTP_ROUTES, new HttpRouter(services));
    }
}
