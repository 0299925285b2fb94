package dev.agentflow.standalone;

import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.info.License;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springdoc.core.customizers.OpenApiCustomizer;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.info.BuildProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The API's OpenAPI 3.1 description at {@code /v3/api-docs} (springdoc, from the controllers), and
 * Swagger UI at {@code /swagger-ui.html}: what springdoc cannot see, added here. The bearer
 * credential every endpoint takes (API keys and JWTs, see docs/security.md); answers in JSON, or
 * Server-Sent Events from the streams (springdoc says any type).
 */
@Configuration(proxyBeanMethods = false)
class ApiDocumentation {

    static final String BEARER = "bearer";

    @Bean
    OpenApiCustomizer agentflowApi(ObjectProvider<BuildProperties> build) {
        return api -> {
            api.info(new Info().title("agentflow API")
                    .description("Workflows of AI agents as steps, run durably on Apache Kafka. "
                            + "See docs/api.md and docs/reference/workflows-api.md.")
                    .version(build.getIfAvailable() == null ? "dev" : build.getIfAvailable().getVersion())
                    .license(new License().name("Proprietary")));
            api.servers(null); // the server a client reached it on
            api.components(api.getComponents() == null ? new Components() : api.getComponents());
            api.getComponents().addSecuritySchemes(BEARER, new SecurityScheme().type(SecurityScheme.Type.HTTP)
                    .scheme("bearer").description("An API key, or a JWT of the configured issuer (once either is "
                            + "configured; an API open on loopback takes none)"));
            api.addSecurityItem(new SecurityRequirement().addList(BEARER));
            if (api.getPaths() != null) {
                api.getPaths().forEach((name, path) -> path.readOperations().forEach(operation -> {
                    if (operation.getResponses() != null) {
                        String type = name.endsWith("/stream") ? "text/event-stream" : "application/json";
                        operation.getResponses().values().forEach(response -> typed(response, type));
                    }
                }));
            }
        };
    }

    /** {@code *}/{@code *} (springdoc's default) becomes {@code type}, what the endpoint answers. */
    private static void typed(ApiResponse response, String type) {
        Content content = response.getContent();
        if (content == null || !content.containsKey("*/*")) {
            return;
        }
        Map<String, MediaType> types = new LinkedHashMap<>(content);
        MediaType any = types.remove("*/*");
        Content typed = new Content();
        typed.addMediaType(type, any);
        types.forEach(typed::addMediaType);
        response.setContent(typed);
    }
}
