package io.switchboard.loadtest.load;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;

/**
 * {@code sse}: {@code --streams} reservations (REST), one event stream open on each, then the reservations are
 * canceled at {@code --rate} per second; each cancel's latency is from its request to the {@code CANCELED} event on
 * its stream.
 */
final class SseScenario {
    private SseScenario() {
    }

    static Result run(Target target, Options options) throws Exception {
        int count = options.streams();
        List<String> sids = createReservations(target, count);
        AtomicLongArray canceledAt = new AtomicLongArray(count);
        AtomicLong open = new AtomicLong();
        CountDownLatch first = new CountDownLatch(count);
        CountDownLatch done = new CountDownLatch(count);
        Result result = new Result(target.name);
        try (Connections connections = new Connections(target.ws, options.sources());
             Stats stats = new Stats(target.name + " sse", open::get)) {
            List<Channel> channels = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                int index = i;
                Bootstrap bootstrap = new Bootstrap().group(connections.group()).channel(NioSocketChannel.class)
                        .handler(new ChannelInitializer<SocketChannel>() {
                            @Override
                            protected void initChannel(SocketChannel channel) {
                                channel.pipeline().addLast(new HttpClientCodec(),
                                        new Stream(index, first, done, canceledAt, stats));
                            }
                        });
                Channel channel = bootstrap.connect(new InetSocketAddress(target.http.getHost(), target.http.getPort()),
                        new InetSocketAddress("127.0.0." + (1 + i % options.sources()), 0)).sync().channel();
                DefaultFullHttpRequest get = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET,
                        "/events/g/default/r/" + sids.get(i));
                get.headers().set(HttpHeaderNames.HOST, target.http.getHost());
                get.headers().set(HttpHeaderNames.ACCEPT, "text/event-stream");
                channel.writeAndFlush(get);
                channels.add(channel);
                open.incrementAndGet();
            }
            if (!first.await(120, TimeUnit.SECONDS)) {
                throw new IllegalStateException(first.getCount() + " streams got no first event within 120 s");
            }
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            Semaphore inFlight = new Semaphore(64);
            long start = System.nanoTime();
            int cancels = (int) Math.min(count, (long) options.rate() * options.durationS());
            for (int i = 0; i < cancels; i++) {
                LockSupport.parkNanos(start + (long) (i * 1e9 / options.rate()) - System.nanoTime());
                inFlight.acquire();
                // From the front of the queue (everyone behind moves: each stream also gets its new place), or with
                // --cancel-order back from the back (only the canceled reservation changes).
                int index = options.cancelFromBack() ? count - 1 - i : i;
                canceledAt.set(index, System.nanoTime());
                stats.sent.incrementAndGet();
                // Sent without blocking a thread, so the client never queues a cancel behind another one.
                target.postAsync(client, "/v1/companies/default/groups/default/reservations/" + sids.get(index)
                        + "/cancel", null).whenComplete((body, failure) -> {
                            if (failure != null) {
                                stats.errors.incrementAndGet();
                            }
                            inFlight.release();
                        });
            }
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (stats.received.get() < cancels && System.nanoTime() < deadline) {
                LockSupport.parkNanos(10_000_000);
            }
            result.sent = stats.sent.get();
            result.received = stats.received.get();
            result.errors = stats.errors.get() + (result.sent - result.received);
            result.latency = stats.histogram();
            result.ratePerS = result.received / ((System.nanoTime() - start) / 1e9);
            result.extra.put("streams", open.get());
            channels.forEach(Channel::close);
        }
        return result;
    }

    /** The reservations, created over REST with up to 32 calls in flight. */
    private static List<String> createReservations(Target target, int count) throws Exception {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        String[] sids = new String[count];
        Semaphore inFlight = new Semaphore(32);
        CountDownLatch created = new CountDownLatch(count);
        String run = Long.toString(System.nanoTime(), 36);
        for (int i = 0; i < count; i++) {
            inFlight.acquire();
            int index = i;
            target.postAsync(client, "/v1/companies/default/groups/default/reservations",
                    "{\"external_user_id\":\"sse-" + run + "-" + index + "\"}").whenComplete((body, failure) -> {
                        sids[index] = failure == null ? Frames.field(body, "reservation_sid") : null;
                        inFlight.release();
                        created.countDown();
                    });
        }
        if (!created.await(120, TimeUnit.SECONDS)) {
            throw new IllegalStateException("reservations not created within 120 s");
        }
        List<String> list = new ArrayList<>(count);
        for (String sid : sids) {
            if (sid == null) {
                throw new IllegalStateException("creating a reservation failed");
            }
            list.add(sid);
        }
        return list;
    }

    /** Reads one event stream: the first event opens it, a CANCELED one is the measured change. */
    private static final class Stream extends SimpleChannelInboundHandler<HttpObject> {
        private final int index;
        private final CountDownLatch first;
        private final CountDownLatch done;
        private final AtomicLongArray canceledAt;
        private final Stats stats;
        private final StringBuilder pending = new StringBuilder();
        private boolean opened;
        private boolean finished;

        Stream(int index, CountDownLatch first, CountDownLatch done, AtomicLongArray canceledAt, Stats stats) {
            this.index = index;
            this.first = first;
            this.done = done;
            this.canceledAt = canceledAt;
            this.stats = stats;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext context, HttpObject message) {
            long now = System.nanoTime();
            if (message instanceof HttpResponse response && response.status().code() != 200) {
                stats.errors.incrementAndGet();
            }
            if (!(message instanceof HttpContent content)) {
                return;
            }
            ByteBuf bytes = content.content();
            pending.append(bytes.toString(StandardCharsets.UTF_8));
            int end;
            while ((end = pending.indexOf("\n\n")) >= 0) {
                String event = pending.substring(0, end);
                pending.delete(0, end + 2);
                if (!event.contains("data:")) {
                    continue;
                }
                if (!opened) {
                    opened = true;
                    first.countDown();
                }
                if (!finished && event.contains("GROUP_RESERVATION_STATUS_CANCELED")) {
                    finished = true;
                    stats.received.incrementAndGet();
                    stats.latencyNanos(now - canceledAt.get(index));
                    done.countDown();
                }
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext context, Throwable cause) {
            stats.errors.incrementAndGet();
            context.close();
        }
    }
}
