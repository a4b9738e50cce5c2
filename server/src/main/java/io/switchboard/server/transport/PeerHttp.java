package io.switchboard.server.transport;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.switchboard.server.gate.Placement;

/**
 * One HTTP request (REST, or an event stream) relayed to the node that owns its account, on the client's event loop:
 * the request goes up as it came, with the cluster's secret and the client's address, and the answer comes down as it
 * is, streamed (an event stream's events leave as the owner sends them). The client's connection closes after the
 * answer: it was the owner's to keep alive, and the next request may be for another account. If the owner cannot be
 * reached, {@code unreachable} runs (nothing was sent: the caller asks again where the account is); if it went away
 * after the request was sent and before it answered, {@code lost} runs (it may or may not have taken effect, so it is
 * not sent again). The request stays the caller's until the owner answers, then it is released here.
 */
final class PeerHttp extends ChannelInboundHandlerAdapter {
    private static final int CONNECT_TIMEOUT_MS = 5_000;

    private final Channel client;
    private final FullHttpRequest request;
    private final Transport transport;
    private final Runnable unreachable;
    private final Runnable lost;
    private final long startedAt = System.nanoTime();
    private boolean sent;
    private boolean answered;
    private boolean finished;
    /** Given up before an answer came (the owner moved): whatever still comes is dropped. */
    private boolean finishedBeforeAnswer;
    private Channel upstream;

    private PeerHttp(Channel client, FullHttpRequest request, Transport transport, Runnable unreachable,
                     Runnable lost) {
        this.client = client;
        this.request = request;
        this.transport = transport;
        this.unreachable = unreachable;
        this.lost = lost;
    }

    /**
     * Relays {@code request} (retained by the caller) to {@code owner} for {@code clientAddress}; returns the relay (to
     * be told when the owner {@link #moved}). Client's event loop.
     */
    static PeerHttp forward(Channel client, FullHttpRequest request, Transport transport, Placement.Owner owner,
                            String clientAddress, Runnable unreachable, Runnable lost) {
        PeerHttp relay = new PeerHttp(client, request, transport, unreachable, lost);
        request.headers().set(HttpHeaderNames.HOST, owner.host() + ":" + owner.port());
        request.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        Peers.mark(request.headers(), transport.placement(), clientAddress);
        client.attr(HttpRouter.STREAMING).set(true);
        new Bootstrap()
                .group(client.eventLoop())
                .channel(NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, CONNECT_TIMEOUT_MS)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel channel) {
                        channel.pipeline().addLast(new HttpClientCodec(), relay);
                    }
                })
                .connect(owner.host(), owner.port())
                .addListener((ChannelFutureListener) connected -> {
                    if (!connected.isSuccess()) {
                        relay.failed();
                        return;
                    }
                    Channel upstream = connected.channel();
                    relay.upstream = upstream;
                    if (relay.finished) {
                        upstream.close();
                        return;
                    }
                    client.closeFuture().addListener(closed -> upstream.close());
                    relay.sent = true;
                    upstream.writeAndFlush(request.retain());
                });
        return relay;
    }

    private void failed() {
        if (answered || finished) {
            return;
        }
        finished = true;
        client.attr(HttpRouter.STREAMING).set(false);
        if (client.isActive()) {
            (sent ? lost : unreachable).run();
        } else {
            ReferenceCountUtil.release(request);
        }
    }

    /**
     * The account's owner changed while this request waited for its answer: an idempotent one ({@code GET}) is asked
     * again where the account is now, any other gets 503 ({@code lost}: it may have taken effect).
     */
    void moved() {
        if (answered || finished) {
            return;
        }
        finishedBeforeAnswer = true;
        // A GET may be asked again; anything else may have taken effect on the old owner.
        sent = !request.method().equals(io.netty.handler.codec.http.HttpMethod.GET);
        if (upstream != null) {
            upstream.close();
        }
        failed();
    }

    @Override
    public void channelRead(ChannelHandlerContext context, Object message) {
        if (message instanceof HttpResponse response && !answered
                && response.headers().contains(Peers.NOT_OWNER)) {
            // Not the owner after all (it just gave the account up): nothing was done; ask again where it is.
            ReferenceCountUtil.release(message);
            sent = false;
            context.close();
            return;
        }
        if (!answered && finishedBeforeAnswer) {
            ReferenceCountUtil.release(message);
            return;
        }
        if (message instanceof HttpResponse response) {
            if (!answered) {
                answered = true;
                transport.metrics().forwarded("http", System.nanoTime() - startedAt);
                ReferenceCountUtil.release(request);
            }
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
        if (message instanceof LastHttpContent) {
            finished = true;
            client.writeAndFlush(message).addListener(ChannelFutureListener.CLOSE);
            context.close();
            return;
        }
        if (message instanceof HttpResponse || message instanceof HttpContent) {
            client.write(message);
        } else {
            ReferenceCountUtil.release(message);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext context) {
        client.flush();
    }

    @Override
    public void channelInactive(ChannelHandlerContext context) {
        if (!answered) {
            failed();
        } else if (!finished) {
            finished = true;
            client.close();
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext context, Throwable cause) {
        context.close();
    }
}
