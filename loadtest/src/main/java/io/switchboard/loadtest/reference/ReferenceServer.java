package io.switchboard.loadtest.reference;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The reference: a bare Netty server that answers the load generator's frames with the same shapes as Switchboard,
 * doing as little as possible in between: no desk, no rules, no validation beyond reading {@code type}. It tells what
 * this machine allows for the same traffic. WebSocket on {@code /ws}: {@code identify} (paired round robin with an
 * agent, or, in group {@code queue}, put in a list), {@code login}, {@code message} (to the room's two members),
 * {@code assist} (the head of the list to the agent), anything else acked; the list's places are broadcast every
 * second. HTTP: create and cancel a reservation, and its event stream, on Switchboard's paths.
 *
 * <p>{@code java -cp switchboard-loadtest.jar io.switchboard.loadtest.reference.ReferenceServer [--port N]}; logs
 * {@code listening on http://127.0.0.1:PORT}. Loopback only.
 */
public final class ReferenceServer {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<Channel> agents = new CopyOnWriteArrayList<>();
    private final AtomicLong ids = new AtomicLong();
    private final Map<String, Channel[]> rooms = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> seqs = new ConcurrentHashMap<>();
    /** The queue: guests in order, and how many were taken from its head. */
    private final ArrayDeque<Waiting> waiting = new ArrayDeque<>();
    private long taken;
    private final Map<String, List<Channel>> streams = new ConcurrentHashMap<>();

    private record Waiting(Channel channel, long ticket, long[] told) {
    }

    public static void main(String[] args) throws InterruptedException {
        int port = 0;
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (args[i].equals("--port")) {
                port = Integer.parseInt(args[i + 1]);
            }
        }
        new ReferenceServer().run(port);
    }

    private void run(int port) throws InterruptedException {
        EventLoopGroup boss = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        EventLoopGroup workers = new MultiThreadIoEventLoopGroup(NioIoHandler.newFactory());
        ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor();
        ticker.scheduleAtFixedRate(this::broadcastPlaces, 1, 1, TimeUnit.SECONDS);
        Channel server = new ServerBootstrap().group(boss, workers)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 4096)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel channel) {
                        channel.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(65_536),
                                new WebSocketServerProtocolHandler("/ws", null, false, 65_536),
                                new Frames(), new Http());
                    }
                })
                .bind("127.0.0.1", port).sync().channel();
        System.out.println("listening on http://127.0.0.1:" + ((InetSocketAddress) server.localAddress()).getPort());
        System.out.flush();
        server.closeFuture().sync();
    }

    private static void send(Channel channel, ObjectNode message) {
        channel.writeAndFlush(new TextWebSocketFrame(message.toString()));
    }

    private static ObjectNode message(String type) {
        return JSON.createObjectNode().put("type", type);
    }

    private final class Frames extends SimpleChannelInboundHandler<TextWebSocketFrame> {
        @Override
        public void userEventTriggered(ChannelHandlerContext context, Object event) {
            if (event instanceof WebSocketServerProtocolHandler.HandshakeComplete) {
                send(context.channel(), message("welcome"));
            }
        }

        @Override
        protected void channelRead0(ChannelHandlerContext context, TextWebSocketFrame frame) throws Exception {
            JsonNode request = JSON.readTree(frame.text());
            Channel channel = context.channel();
            String type = request.path("type").asText();
            switch (type) {
                case "login" -> {
                    send(channel, message("identified").put("role", "agent").put("user", request.path("user")
                            .asText()).put("session", "s" + ids.incrementAndGet()).putNull("reservation"));
                    agents.add(channel);
                }
                case "identify" -> identify(channel, request);
                case "message" -> {
                    String room = request.path("room").asText();
                    Channel[] members = rooms.get(room);
                    if (members != null) {
                        ObjectNode out = message("message").put("room", room).put("user", "u")
                                .put("body", request.path("body").asText()).put("sent", System.currentTimeMillis())
                                .put("seq", seqs.get(room).incrementAndGet());
                        String text = out.toString();
                        for (Channel member : members) {
                            member.writeAndFlush(new TextWebSocketFrame(text));
                        }
                    }
                }
                case "assist" -> assist(channel);
                default -> {
                }
            }
            if (request.hasNonNull("ref")) {
                send(channel, message("ack").put("ref", request.get("ref").asText()));
            }
        }

        private void identify(Channel channel, JsonNode request) {
            String user = request.path("user").asText();
            send(channel, message("identified").put("role", "guest").put("user", user)
                    .put("session", "s" + ids.incrementAndGet()).put("reservation", "r" + ids.get()));
            if ("queue".equals(request.path("group").asText())) {
                synchronized (waiting) {
                    long ticket = taken + waiting.size();
                    waiting.add(new Waiting(channel, ticket, new long[] {ticket - taken}));
                    send(channel, message("queuepos").put("position", ticket - taken).putNull("wait")
                            .putNull("estimated_wait"));
                }
                return;
            }
            Channel agent = agents.get((int) (ids.get() % agents.size()));
            open(channel, user, agent);
        }

        private void assist(Channel agent) {
            Waiting head;
            synchronized (waiting) {
                head = waiting.poll();
                if (head == null) {
                    return;
                }
                taken++;
            }
            open(head.channel(), "guest", agent);
        }

        private void open(Channel guest, String user, Channel agent) {
            String room = "rm" + ids.incrementAndGet();
            rooms.put(room, new Channel[] {guest, agent});
            seqs.put(room, new AtomicLong());
            ObjectNode joined = message("joined").put("room", room).put("agent", "agent");
            joined.putObject("guest").put("user", user).put("question", "q");
            send(guest, joined);
            send(agent, joined);
        }
    }

    /** Every second, each waiting guest whose place changed is told it. */
    private void broadcastPlaces() {
        synchronized (waiting) {
            for (Waiting guest : waiting) {
                long position = guest.ticket() - taken;
                if (position != guest.told()[0]) {
                    guest.told()[0] = position;
                    send(guest.channel(), message("queuepos").put("position", position).putNull("wait")
                            .putNull("estimated_wait"));
                }
            }
        }
    }

    private final class Http extends SimpleChannelInboundHandler<FullHttpRequest> {
        @Override
        protected void channelRead0(ChannelHandlerContext context, FullHttpRequest request) {
            String path = request.uri();
            Channel channel = context.channel();
            if (request.method().equals(HttpMethod.POST) && path.endsWith("/reservations")) {
                String sid = "rsv_" + ids.incrementAndGet();
                respond(channel, request, HttpResponseStatus.CREATED, envelope(sid, "QUEUED").toString());
            } else if (request.method().equals(HttpMethod.POST) && path.endsWith("/cancel")) {
                String[] parts = path.split("/");
                String sid = parts[parts.length - 2];
                String event = "id: 2\ndata: " + envelope(sid, "CANCELED").get("group_reservation") + "\n\n";
                for (Channel stream : streams.getOrDefault(sid, List.of())) {
                    stream.writeAndFlush(new DefaultHttpContent(Unpooled.copiedBuffer(event, StandardCharsets.UTF_8)));
                }
                respond(channel, request, HttpResponseStatus.OK, envelope(sid, "CANCELED").toString());
            } else if (request.method().equals(HttpMethod.GET) && path.startsWith("/events/")) {
                String[] parts = path.split("/");
                String sid = parts[parts.length - 1];
                HttpResponse response = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
                response.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/event-stream");
                HttpUtil.setTransferEncodingChunked(response, true);
                channel.write(response);
                String first = "retry: 3000\n\nid: 1\ndata: " + envelope(sid, "QUEUED").get("group_reservation") + "\n\n";
                channel.writeAndFlush(new DefaultHttpContent(Unpooled.copiedBuffer(first, StandardCharsets.UTF_8)));
                streams.computeIfAbsent(sid, s -> new CopyOnWriteArrayList<>()).add(channel);
                channel.closeFuture().addListener(f -> streams.getOrDefault(sid, new ArrayList<>()).remove(channel));
            } else {
                respond(channel, request, HttpResponseStatus.NOT_FOUND, "{\"error\":\"not_found\"}");
            }
        }

        private ObjectNode envelope(String sid, String status) {
            ObjectNode envelope = JSON.createObjectNode();
            envelope.putObject("group_reservation").put("reservation_sid", sid)
                    .put("reservation_status", "GROUP_RESERVATION_STATUS_" + status);
            return envelope;
        }

        private void respond(Channel channel, FullHttpRequest request, HttpResponseStatus status, String body) {
            ByteBuf content = Unpooled.copiedBuffer(body, StandardCharsets.UTF_8);
            FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, content);
            response.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json");
            HttpUtil.setContentLength(response, content.readableBytes());
            boolean keepAlive = HttpUtil.isKeepAlive(request);
            HttpUtil.setKeepAlive(response, keepAlive);
            if (keepAlive) {
                channel.writeAndFlush(response);
            } else {
                channel.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
            }
        }
    }
}
