package dev.agentflow.web;

import dev.agentflow.schemas.json.Json;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.http.ProblemDetail;
import org.springframework.http.converter.json.ProblemDetailJacksonMixin;
import tools.jackson.databind.json.JsonMapper;

/**
 * The HTTP side every API module shares: RFC 9457 problems for every error, the body limit, and the
 * one JsonMapper (the contract's) for Spring MVC too. An auto-configuration, like the services',
 * ordered before Spring Boot's Jackson one, which then keeps out of the way.
 */
@AutoConfiguration(beforeName = "org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration")
@Import({ProblemHandler.class, BodyLimitFilter.class})
public class WebConfiguration {

    /** The one JsonMapper for Spring MVC too, plus Spring's RFC 9457 layout of ProblemDetail. */
    @Bean
    JsonMapper jsonMapper() {
        return Json.mapper().rebuild().addMixIn(ProblemDetail.class, ProblemDetailJacksonMixin.class).build();
    }
}
