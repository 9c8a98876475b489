package dev.vigil.provisioning.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The per-run secret: what admits a browser, and what a page may show of it. */
class ConsoleAccessTest {

    @Test
    void each_run_has_its_own_secret_of_32_random_bytes_and_a_cookie_named_after_its_port() {
        ConsoleAccess one = ConsoleAccess.random(8080);
        ConsoleAccess two = ConsoleAccess.random(8080);
        assertThat(one.secret()).matches("[A-Za-z0-9_-]{43}").isNotEqualTo(two.secret());
        assertThat(one.setCookie()).isEqualTo("vigil-console-8080=" + one.secret() + "; Path=/; HttpOnly;"
                + " SameSite=Strict");
    }

    @Test
    void only_this_runs_secret_in_this_ports_cookie_admits() {
        ConsoleAccess access = ConsoleAccess.random(8080);
        ConsoleAccess other = ConsoleAccess.random(8081);
        assertThat(access.admits(List.of("a=1; vigil-console-8080=" + access.secret() + "; b=2"))).isTrue();
        assertThat(access.admits(List.of("vigil-console-8081=" + access.secret()))).isFalse();
        assertThat(access.admits(List.of("vigil-console-8080=" + other.secret()))).isFalse();
        assertThat(access.admits(List.of("vigil-console-8080=" + access.secret() + "x"))).isFalse();
        assertThat(access.admits(List.of("vigil-console-8080="))).isFalse();
        assertThat(access.admits(null)).isFalse();
    }

    @Test
    void the_csrf_token_pages_carry_is_not_the_secret_and_differs_per_run() {
        ConsoleAccess access = ConsoleAccess.random(8080);
        assertThat(access.csrfToken()).isNotEqualTo(access.secret()).doesNotContain(access.secret());
        assertThat(access.isCsrfToken(access.csrfToken())).isTrue();
        assertThat(access.isCsrfToken(ConsoleAccess.random(8080).csrfToken())).isFalse();
        assertThat(access.isCsrfToken(access.secret())).isFalse();
        assertThat(access.isCsrfToken(null)).isFalse();
    }
}
