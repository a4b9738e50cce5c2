package io.switchboard.server.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.switchboard.protocol.Codec;
import io.switchboard.server.metrics.ServerMetrics;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The route table on its own: parameters by name, 404, 405 with {@code Allow}, each in the shape of its routes. */
class RoutesTest {
    private final List<String> handled = new ArrayList<>();
    private final Routes routes = new Routes()
            .route(HttpMethod.GET, "/v1/things/{thing}/parts/{part}", Routes.ErrorShape.CONTRACT,
                    (request, parameters, reply) -> answer("get " + parameters, reply))
            .route(HttpMethod.DELETE, "/v1/things/{thing}/parts/{part}", Routes.ErrorShape.CONTRACT,
                    (request, parameters, reply) -> answer("delete " + parameters, reply))
            .route(HttpMethod.GET, "/api/{conversation}", Routes.ErrorShape.API,
                    (request, parameters, reply) -> answer("api " + parameters, reply))
            .prefix("/api", Routes.ErrorShape.API, "/api/{conversation}");

    private void answer(String what, Reply reply) {
        handled.add(what);
        reply.json(HttpResponseStatus.OK, Map.of("ok", true));
    }

    private FullHttpResponse dispatch(HttpMethod method, String path) {
        EmbeddedChannel channel = new EmbeddedChannel();
        FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, path);
        List<String> segments = Arrays.asList(path.substring(1).split("/", -1));
        routes.dispatch(request, segments, new Reply(channel, new Codec(), new ServerMetrics(), true));
        channel.runPendingTasks();
        FullHttpResponse response = channel.readOutbound();
        assertNotNull(response, "an answer for " + method + " " + path);
        return response;
    }

    private static String body(FullHttpResponse response) {
        try {
            return response.content().toString(StandardCharsets.UTF_8);
        } finally {
            response.release();
        }
    }

    @Test
    void aMatchingRouteGetsItsParametersByName() {
        FullHttpResponse response = dispatch(HttpMethod.GET, "/v1/things/t1/parts/p2");
        assertEquals(200, response.status().code());
        response.release();
        assertEquals(List.of("get {thing=t1, part=p2}"), handled);
        dispatch(HttpMethod.DELETE, "/v1/things/t1/parts/p3").release();
        assertEquals("delete {thing=t1, part=p3}", handled.get(1));
    }

    @Test
    void aKnownPathWithAnotherMethodIs405WithAllowInTheRoutesShape() {
        FullHttpResponse contract = dispatch(HttpMethod.POST, "/v1/things/t1/parts/p2");
        assertEquals(405, contract.status().code());
        assertEquals("GET, DELETE", contract.headers().get("Allow"));
        String contractBody = body(contract);
        assertTrue(contractBody.contains("\"error\":\"method_not_allowed\""), contractBody);
        FullHttpResponse api = dispatch(HttpMethod.PUT, "/api/c1");
        assertEquals(405, api.status().code());
        assertEquals("GET", api.headers().get("Allow"));
        String apiBody = body(api);
        assertTrue(apiBody.contains("\"exceptionType\":\"MethodNotAllowedException\""), apiBody);
        assertEquals(List.of(), handled, "no handler ran");
    }

    @Test
    void anUnknownPathIs404AndAMalformedOneUnderAPrefixIsItsOwn400() {
        FullHttpResponse missing = dispatch(HttpMethod.GET, "/v1/things/t1");
        assertEquals(404, missing.status().code());
        assertTrue(body(missing).contains("\"error\":\"not_found\""));
        FullHttpResponse malformed = dispatch(HttpMethod.GET, "/api/c1/extra");
        assertEquals(400, malformed.status().code());
        String text = body(malformed);
        assertTrue(text.contains("BadRequestException") && text.contains("/api/{conversation}"), text);
        assertEquals(List.of(), handled);
    }
}
