package io.parley.spring.boot.autoconfigure;

import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;

import org.springframework.security.oauth2.jwt.NimbusReactiveJwtDecoder;
import org.springframework.security.oauth2.jwt.ReactiveJwtDecoder;

/**
 * An RSA key made at test time, JWTs it signs, and Spring's decoder that trusts it: what an
 * identity provider and a resource server would share.
 */
final class TestJwts {

    /** The claim that carries a token's roles. */
    static final String ROLES = "roles";

    private final KeyPair key;

    private TestJwts(KeyPair key) {
        this.key = key;
    }

    /** A new RSA key (2048 bits). */
    static TestJwts create() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            return new TestJwts(generator.generateKeyPair());
        }
        catch (NoSuchAlgorithmException ex) {
            throw new IllegalStateException(ex);
        }
    }

    /** Spring's decoder of the JWTs this key signs, checking their signature and their time (Spring's defaults). */
    ReactiveJwtDecoder decoder() {
        return NimbusReactiveJwtDecoder.withPublicKey((RSAPublicKey) this.key.getPublic()).build();
    }

    /** A JWT for the subject, valid for an hour. */
    String token(String subject, String... roles) {
        return token(subject, Instant.now().plus(Duration.ofHours(1)), roles);
    }

    /** A JWT for the subject that expired ten minutes ago, beyond Spring's minute of clock skew. */
    String expired(String subject) {
        return token(subject, Instant.now().minus(Duration.ofMinutes(10)));
    }

    /** A JWT for the subject that expires then. */
    String token(String subject, Instant expiry, String... roles) {
        JWTClaimsSet claims = new JWTClaimsSet.Builder().subject(subject)
            .issueTime(Date.from(expiry.minus(Duration.ofHours(2))))
            .expirationTime(Date.from(expiry))
            .claim(ROLES, List.of(roles))
            .build();
        SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.RS256), claims);
        try {
            jwt.sign(new RSASSASigner(this.key.getPrivate()));
        }
        catch (JOSEException ex) {
            throw new IllegalStateException(ex);
        }
        return jwt.serialize();
    }
}
