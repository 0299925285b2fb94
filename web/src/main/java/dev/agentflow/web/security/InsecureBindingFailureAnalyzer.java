package dev.agentflow.web.security;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** Says, when the API refuses to listen beyond loopback unprotected, how to protect it or opt out. */
public final class InsecureBindingFailureAnalyzer extends AbstractFailureAnalyzer<InsecureBindingException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, InsecureBindingException cause) {
        return new FailureAnalysis("agentflow refuses to start: the API would listen on " + cause.address()
                + " (server.address), beyond this machine, and no authentication is configured, so anyone who"
                + " can reach the port could read every run and start, approve or cancel runs.",
                """
                Do one of these:
                  - configure API keys: java -jar agentflow.jar create-api-key --name NAME --roles admin
                    prints a key and the settings that accept it (agentflow.security.api-keys[0].*);
                  - configure OAuth 2 / OIDC bearer JWTs: spring.security.oauth2.resourceserver.jwt.issuer-uri
                    (or .jwk-set-uri), with the roles in the claim agentflow.security.jwt.roles-claim (default roles);
                  - listen on loopback only: --server.address=127.0.0.1 (the default);
                  - or open the API to everyone who reaches it, knowingly: --agentflow.security.mode=none
                See docs/security.md.""", cause);
    }
}
