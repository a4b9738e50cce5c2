package io.switchboard.server.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.group.ChannelGroup;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class HttpFallbackHandlerTest {

    private static FullHttpResponse get(boolean draining, String uri) {
        ServerState state = new ServerState() {
            @Override
            public ChannelGroup webSockets() {
                throw new UnsupportedOperationException();
            }

            @Override
            public boolean draining() {
                return draining;
            }
        };
        EmbeddedChannel channel = new EmbeddedChannel(new HttpFallbackHandler(state));
        channel.writeInbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, uri));
        return channel.readOutbound();
    }

    @Test
    void healthIsOkWhileServingAnd503WhileDraining() {
        FullHttpResponse serving = get(false, "/healthz");
        assertEquals(200, serving.status().code());
        assertEquals("{\"status\":\"ok\"}", serving.content().toString(StandardCharsets.UTF_8));
        serving.release();
        FullHttpResponse draining = get(true, "/healthz?probe=1");
        assertEquals(503, draining.status().code());
        draining.release();
    }

    @Test
    void unknownRoutesAreJson404() {
        FullHttpResponse missing = get(false, "/v1/\"nope\"");
        assertEquals(404, missing.status().code());
        assertEquals("application/json", missing.headers().get("content-type"));
        assertEquals("{\"error\":\"not_found\",\"message\":\"no route for /v1/\\\"nope\\\"\"}",
                missing.content().toString(StandardCharsets.UTF_8));
        missing.release();
    }
}
