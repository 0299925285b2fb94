package dev.agentflow.web;

import dev.agentflow.schemas.json.Json;
import org.apache.catalina.Valve;
import org.apache.catalina.core.StandardHost;
import org.apache.catalina.valves.ErrorReportValve;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
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
@AutoConfiguration(beforeName = {"org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration",
        "org.springframework.boot.webmvc.autoconfigure.error.ErrorMvcAutoConfiguration"})
@Import({ProblemHandler.class, BodyLimitFilter.class, ProblemErrorController.class})
public class WebConfiguration {

    /** The one JsonMapper for Spring MVC too, plus Spring's RFC 9457 layout of ProblemDetail. */
    @Bean
    JsonMapper jsonMapper() {
        return Json.mapper().rebuild().addMixIn(ProblemDetail.class, ProblemDetailJacksonMixin.class).build();
    }

    /**
     * Tomcat's own error answers as problem+json: its host's error report valve (Spring Boot's, or
     * Tomcat's default) is replaced by {@link ProblemReportValve}.
     */
    @Bean
    WebServerFactoryCustomizer<TomcatServletWebServerFactory> problemReportValve() {
        return factory -> factory.addContextCustomizers(context -> {
            if (context.getParent() instanceof StandardHost host) {
                for (Valve valve : host.getPipeline().getValves()) {
                    if (valve instanceof ErrorReportValve) {
                        host.getPipeline().removeValve(valve);
                    }
                }
                host.setErrorReportValveClass(ProblemReportValve.class.getName());
                host.getPipeline().addValve(new ProblemReportValve());
            }
        });
    }
}
