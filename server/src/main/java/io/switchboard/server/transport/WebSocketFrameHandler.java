package io.switchboard.server.transport;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.switchboard.protocol.Codec;
import io.switchboard.protocol.Decoded;
import io.switchboard.server.DeskLoop;
import io.switchboard.server.desk.Desk;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns complete WebSocket messages into desk calls: text is decoded to a typed request (or a rejection) on the event
 * loop and handed to the desk thread; anything but text closes the connection with 1003. Decides nothing else.
 */
final class WebSocketFrameHandler extends SimpleChannelInboundHandler<WebSocketFrame> {
    private static final Logger log = LoggerFactory.getLogger(WebSocketFrameHandler.class);

    private final Codec codec;
    private final DeskLoop loop;
    private final Desk desk;
    private final ServerState state;

    WebSocketFrameHandler(Codec codec, DeskLoop loop, Desk desk, ServerState state) {
        this.codec = codec;
        this.loop = loop;
        this.desk = desk;
        this.state = state;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext context, Object event) throws Exception {
        if (event instanceof WebSocketServerProtocolHandler.HandshakeComplete) {
            ChannelConnection connection = new ChannelConnection(context.channel());
            context.channel().attr(ChannelConnection.KEY).set(connection);
            state.webSockets().add(context.channel());
            loop.execute(() -> desk.onConnect(connection));
        }
        super.userEventTriggered(context, event);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext context, WebSocketFrame frame) {
        ChannelConnection connection = context.channel().attr(ChannelConnection.KEY).get();
        if (!(frame instanceof TextWebSocketFrame text)) {
            context.writeAndFlush(new CloseWebSocketFrame(WebSocketCloseStatus.INVALID_MESSAGE_TYPE,
                    "text frames only")).addListener(ChannelFutureListener.CLOSE);
            return;
        }
        if (connection == null) {
            return;
        }
        Decoded decoded = codec.decodeRequest(text.text());
        if (decoded instanceof Decoded.Ok ok) {
            loop.execute(() -> desk.onRequest(connection, ok.ref(), ok.request()));
        } else if (decoded instanceof Decoded.Failed failed) {
            loop.execute(() -> desk.onRejected(connection, failed.ref(), failed.code(), failed.message()));
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext context) throws Exception {
        ChannelConnection connection = context.channel().attr(ChannelConnection.KEY).get();
        if (connection != null) {
            loop.execute(() -> desk.onDisconnect(connection));
        }
        super.channelInactive(context);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext context, Throwable cause) {
        if (cause instanceof io.netty.handler.codec.TooLongFrameException) {
            context.writeAndFlush(new CloseWebSocketFrame(WebSocketCloseStatus.MESSAGE_TOO_BIG,
                    "message over the size limit")).addListener(ChannelFutureListener.CLOSE);
            return;
        }
        log.debug("closing {} after {}", context.channel().id().asShortText(), cause.toString());
        context.close();
    }
}
