package dev.agentflow.web.security;

/**
 * Whether the API asks callers for a credential: API keys or a JWT issuer are configured and
 * {@code agentflow.security.mode} is not {@code none}. Otherwise it is open (on loopback, or knowingly).
 *
 * @param required true when a call without a credential is refused
 */
public record AuthenticationRequirement(boolean required) {
}
