package io.switchboard.server.transport;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;

/**
 * The WebSocket closing handshake, once in each direction (RFC 6455 §5.5.1): a client's close is answered with a close
 * of the same status, then the connection ends; a client's answer to a close the server sent ends the connection
 * without another close frame (a second one makes browsers report "Close received after close").
 */
final class CloseHandshake extends ChannelDuplexHandler {
    private boolean sent;

    @Override
    public void write(ChannelHandlerContext context, Object message, ChannelPromise promise) throws Exception {
        if (message instanceof CloseWebSocketFrame) {
            if (sent) {
                ((CloseWebSocketFrame) message).release();
                promise.trySuccess();
                return;
            }
            sent = true;
        }
        super.write(context, message, promise);
    }

    @Override
    public void channelRead(ChannelHandlerContext context, Object message) throws Exception {
        if (!(message instanceof CloseWebSocketFrame close)) {
            super.channelRead(context, message);
            return;
        }
        int status = close.statusCode();
        close.release();
        if (sent) {
            context.close();
            return;
        }
        CloseWebSocketFrame answer = status < 0 ? new CloseWebSocketFrame() : new CloseWebSocketFrame(status, null);
        context.writeAndFlush(answer).addListener(ChannelFutureListener.CLOSE);
    }
}
