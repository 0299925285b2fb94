package dev.agentflow.runtime.spring;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.Arrays;
import java.util.Map;
import org.springframework.context.annotation.Condition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.core.type.AnnotatedTypeMetadata;

/**
 * Active when this process runs one of the named services: {@code agentflow.services} lists them
 * (comma-separated: {@code command-api}, {@code projection-service}, {@code step-processor}); unset
 * or {@code all} runs every one, as the standalone launcher does.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
@Conditional(ConditionalOnService.OnService.class)
public @interface ConditionalOnService {

    /** The service names; any one of them activates. */
    String[] value();

    final class OnService implements Condition {
        @Override
        public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
            Map<String, Object> attributes = metadata.getAnnotationAttributes(ConditionalOnService.class.getName());
            java.util.List<String> wanted = Arrays.asList((String[]) attributes.get("value"));
            String services = context.getEnvironment().getProperty("agentflow.services", "all");
            return Arrays.stream(services.split(",")).map(String::trim)
                    .anyMatch(s -> s.equals("all") || wanted.contains(s));
        }
    }
}
