package dev.agentflow.web.security;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.mock.web.MockFilterChain;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;

class JsonOnlyWritesTest {

    @ParameterizedTest(name = "{0} {1} [{2}] -> {3}")
    @CsvSource(nullValues = "-", value = {
            "POST, application/json, '{}', 200",
            "POST, application/json; charset=UTF-8, '{}', 200",
            "PATCH, application/merge-patch+json, '{}', 200",
            "POST, -, -, 200",
            "DELETE, -, -, 200",
            "GET, text/plain, x, 200",
            "POST, text/plain, '{}', 415",
            "POST, application/x-www-form-urlencoded, a=b, 415",
            "POST, multipart/form-data; boundary=x, '--x--', 415",
            "POST, -, '{}', 415",
            "POST, application/*, '{}', 415",
            "POST, not a type, '{}', 415",
            "PATCH, text/json-ish, '{}', 415"})
    void writesTakeJsonOnly(String method, String type, String body, int status) throws Exception {
        MockHttpServletRequest request = new MockHttpServletRequest(method, "/api/v1/workflows");
        if (type != null) {
            request.addHeader("Content-Type", type);
            request.setContentType(type);
        }
        if (body != null) {
            request.setContent(body.getBytes());
        }
        MockHttpServletResponse response = new MockHttpServletResponse();

        new JsonOnlyWrites().doFilter(request, response, new MockFilterChain());

        assertThat(response.getStatus()).isEqualTo(status);
        if (status == 415) {
            assertThat(response.getContentType()).isEqualTo("application/problem+json");
        }
    }
}
