package io.switchboard.server.transport;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.switchboard.server.config.ServerConfig;
import java.net.InetAddress;

/**
 * The server side of the Autobahn|Testsuite run in {@code mvn verify} (server/pom.xml,
 * autobahntestsuite-maven-plugin): the conformance echo route with the server's own WebSocket protocol
 * configuration ({@link ServerPipeline#conformanceEcho}). The plugin passes the port and connects to this machine's
 * local host address, which must be loopback: nothing listens elsewhere in tests.
 */
public final class AutobahnServer {
    private AutobahnServer() {
    }

    public static void main(String[] args) throws Exception {
        InetAddress host = InetAddress.getLocalHost();
        if (!host.isLoopbackAddress()) {
            throw new IllegalStateException("the local host address " + host + " is not loopback; the conformance "
                    + "server only listens on loopback");
        }
        // Daemon threads: when the suite is done the plugin interrupts this thread and Maven exits; nothing is shut
        // down while Maven tears down the plugin's class loader (that only logs errors).
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(0,
                new io.netty.util.concurrent.DefaultThreadFactory("autobahn", true), NioIoHandler.newFactory());
        Channel server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(ServerPipeline.conformanceEcho(ServerConfig.Limits.DEFAULTS.maxFrameBytes()))
                .bind(host, Integer.parseInt(args[0])).sync().channel();
        try {
            server.closeFuture().sync();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
