package dev.vigil.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vigil.device.DeviceClient;
import dev.vigil.device.SenmlCbor;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.Request;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.support.ui.WebDriverWait;
import java.time.Duration;

/**
 * {@code vigil console} started as the real CLI against a live node, driven by a real headless Chromium: the secret
 * keeps other local users out, pages render the registry, an action round-trips to the device's DTLS session and
 * the audit log, and registry text is inert. Also writes the README's screenshots (see {@link #SCREENSHOTS}).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@org.junit.jupiter.api.TestMethodOrder(org.junit.jupiter.api.MethodOrderer.OrderAnnotation.class)
class WebConsoleTest {

    /** Where screenshots go besides target/ (scripts/console-screenshots sets it to docs/console). */
    static final String SCREENSHOTS = "vigil.console.screenshots";

    private VigilTestServer server;
    private ConsoleProcess console;
    private ChromeDriver browser;
    private String adminKeyId;

    @BeforeAll
    void start() throws Exception {
        server = VigilTestServer.start();
        adminKeyId = server.admin("operator.whoami", VigilTestServer.args()).path("keyId").asText();
        console = ConsoleProcess.start(server, server.dataDir().adminKey());
        browser = HeadlessChromium.start(server.scratch("chromium-profile"), 1280, 900);
        browser.get(console.url().toString()); // the secret becomes a cookie for the rest of the class
    }

    @AfterAll
    void stop() throws Exception {
        try {
            if (browser != null) {
                browser.quit();
            }
        } finally {
            try {
                if (console != null) {
                    console.close();
                }
            } finally {
                server.close();
            }
        }
    }

    private void open(String path) {
        browser.get(console.base() + path);
    }

    /** Clicks a form's button and waits for the page the POST answers with. */
    private void submit(String buttonSelector) {
        // a mark on the old page's window: gone once the answer replaced the document (a reference to an old element
        // can fail in ways other than "stale" while the page is being replaced, so that is not waited on)
        ((JavascriptExecutor) browser).executeScript("window.vigilOldPage = true");
        browser.findElement(By.cssSelector(buttonSelector)).click();
        WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(60));
        wait.until(d -> Boolean.TRUE.equals(((JavascriptExecutor) d).executeScript(
                "return window.vigilOldPage === undefined && document.readyState === 'complete'")));
        assertThat(browser.findElements(By.tagName("main"))).as("a console page, not: %s",
                browser.findElement(By.tagName("body")).getText()).hasSize(1);
    }

    private List<String> rowsOf(String table) {
        return browser.findElements(By.cssSelector("table." + table + " tbody tr")).stream().map(WebElement::getText)
                .toList();
    }

    private static byte[] reading(double temp) {
        return SenmlCbor.encode(Map.of("temp", temp));
    }

    @Test
    void it_prints_its_url_first_and_answers_nobody_without_the_secret() throws Exception {
        assertThat(console.url().toString()).matches("http://127\\.0\\.0\\.1:\\d+/\\?secret=[A-Za-z0-9_-]{43,}");
        server.addDevice("secret-1", "sensor");
        HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
        for (String path : List.of("/", "/devices/secret-1", "/audit", "/events", "/tokens", "/nowhere",
                "/?secret=wrong")) {
            HttpResponse<String> refused = http.send(HttpRequest.newBuilder(URI.create(console.base() + path)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(refused.statusCode()).as(path).isEqualTo(403);
            assertThat(refused.body()).as(path).isEqualTo("403 Forbidden\n");
            assertThat(refused.headers().firstValue("Set-Cookie")).as(path).isEmpty();
        }
        HttpResponse<String> posted = http.send(HttpRequest.newBuilder(URI.create(console.base()
                + "/devices/secret-1/suspend")).POST(HttpRequest.BodyPublishers.ofString("action=suspend"))
                .header("Content-Type", "application/x-www-form-urlencoded").build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(posted.statusCode()).isEqualTo(403);

        HttpResponse<String> admitted = http.send(HttpRequest.newBuilder(console.url()).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(admitted.statusCode()).isEqualTo(303);
        assertThat(admitted.headers().firstValue("Location")).hasValue("/");
        String cookie = admitted.headers().firstValue("Set-Cookie").orElseThrow();
        assertThat(cookie).contains("HttpOnly").contains("SameSite=Strict");
        String pair = cookie.substring(0, cookie.indexOf(';'));
        HttpResponse<String> withCookie = http.send(HttpRequest.newBuilder(URI.create(console.base() + "/"))
                .header("Cookie", pair).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(withCookie.statusCode()).isEqualTo(200);
        assertThat(withCookie.body()).contains("secret-1").doesNotContain(console.url().getQuery().substring(7));

        HttpResponse<String> noToken = http.send(HttpRequest.newBuilder(URI.create(console.base()
                + "/devices/secret-1/suspend")).header("Cookie", pair).header("Content-Type",
                "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString("action=suspend"))
                .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(noToken.statusCode()).as("a POST without the form's CSRF token").isEqualTo(403);
        HttpResponse<String> getAction = http.send(HttpRequest.newBuilder(URI.create(console.base()
                + "/devices/secret-1/suspend")).header("Cookie", pair).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(getAction.statusCode()).as("GET never changes anything").isEqualTo(405);
        assertThat(server.admin("device.show", VigilTestServer.args().put("name", "secret-1")).path("state").asText())
                .isEqualTo("ACTIVE");
    }

    @Test
    void the_overview_shows_the_fleet_with_states_tiers_and_the_list_filters() throws Exception {
        server.addDevice("fleet-pump-1", "sensor");
        server.addDevice("fleet-pump-2", "sensor");
        server.addDevice("fleet-valve-1", "actuator");
        server.admin("device.suspend", VigilTestServer.args().put("name", "fleet-pump-2"));

        open("/");
        assertThat(browser.getTitle()).startsWith("Fleet overview");
        assertThat(rowsOf("devices"))
                .anySatisfy(row -> assertThat(row).startsWith("fleet-pump-1 sensor ACTIVE TRUSTED"))
                .anySatisfy(row -> assertThat(row).startsWith("fleet-pump-2 sensor SUSPENDED TRUSTED"))
                .anySatisfy(row -> assertThat(row).startsWith("fleet-valve-1 actuator ACTIVE TRUSTED"));
        String suspended = browser.findElement(By.cssSelector("#by-state .card[data-label=SUSPENDED] .n")).getText();
        assertThat(Integer.parseInt(suspended)).isGreaterThanOrEqualTo(1);

        open("/?state=SUSPENDED&name=fleet-*");
        assertThat(rowsOf("devices")).singleElement().asString().startsWith("fleet-pump-2 ");
        open("/?profile=actuator&name=fleet-*");
        assertThat(rowsOf("devices")).singleElement().asString().startsWith("fleet-valve-1 ");
        open("/?state=sleeping");
        assertThat(browser.findElement(By.cssSelector("p.refused")).getText())
                .startsWith("device.list: ").contains("state must be one of");
    }

    @Test
    void the_device_page_charts_the_readings_the_device_sent_over_dtls() throws Exception {
        KeyPair key = server.addDevice("chart-1", "sensor");
        try (DeviceClient device = new DeviceClient(server.deviceUri(), key, server.serverPublicKey()).timeout(5_000)) {
            for (double temp : new double[] {20.5, 21.0, 22.5}) {
                assertThat(device.sendTelemetry(reading(temp)).code()).isEqualTo(ResponseCode.CHANGED);
            }
        }
        open("/devices/chart-1");
        assertThat(browser.findElement(By.id("facts")).getText()).contains("ACTIVE").contains("sensor");
        List<WebElement> points = browser.findElements(
                By.cssSelector("#readings-chart svg.chart g.series[data-name=temp] circle"));
        assertThat(points).hasSize(3);
        assertThat(points.stream().map(p -> p.findElement(By.tagName("title")).getAttribute("textContent")).toList())
                .satisfiesExactly(t -> assertThat(t).startsWith("temp 20.5 at "),
                        t -> assertThat(t).startsWith("temp 21 at "), t -> assertThat(t).startsWith("temp 22.5 at "));
        assertThat(Double.parseDouble(points.get(2).getAttribute("cy"))).as("the highest reading is drawn highest")
                .isLessThan(Double.parseDouble(points.get(0).getAttribute("cy")));
        assertThat(rowsOf("readings")).first().asString().contains("temp 22.5");
        assertThat(rowsOf("keys")).singleElement().asString().contains("ACTIVE");
        assertThat(rowsOf("lifecycle")).singleElement().asString().contains("device.add");
    }

    @Test
    void suspending_from_the_device_page_cuts_the_device_off_and_is_audited_as_the_operator() throws Exception {
        KeyPair key = server.addDevice("cut-1", "sensor");
        try (DeviceClient device = new DeviceClient(server.deviceUri(), key, server.serverPublicKey()).timeout(5_000)) {
            assertThat(device.sendTelemetry(reading(19.0)).code()).isEqualTo(ResponseCode.CHANGED);

            open("/devices/cut-1");
            submit("#actions button[value=suspend]");
            assertThat(browser.findElement(By.id("outcome")).getText()).isEqualTo("cut-1: ACTIVE → SUSPENDED");
            assertThat(browser.findElement(By.id("facts")).getText()).contains("SUSPENDED");
            assertThat(browser.getCurrentUrl()).endsWith("/devices/cut-1/suspend");

            DeviceClient.Outcome next = device.sendTelemetry(reading(19.5));
            assertThat(next.isSuccess()).as("the device's next request").isFalse();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (next.code() != null && System.nanoTime() < deadline) { // 4.03 on the old session until it is cut
                assertThat(next.code()).isEqualTo(ResponseCode.FORBIDDEN);
                Thread.sleep(100);
                next = device.sendTelemetry(reading(19.5));
            }
            assertThat(next.failure()).as("once the session is cut").contains("refused the DTLS handshake");
        }
        JsonNode entries = server.admin("audit.tail", VigilTestServer.args().put("limit", 1000)).path("entries");
        JsonNode suspend = null;
        for (JsonNode e : entries) {
            if (e.path("action").asText().equals("device.suspend") && e.path("target").asText().equals("cut-1")) {
                suspend = e;
            }
        }
        assertThat(suspend).as("an audit record of the suspension").isNotNull();
        assertThat(suspend.path("actor").asText()).as("attributed to the console's operator").isEqualTo(adminKeyId);
        assertThat(suspend.path("after").asText()).isEqualTo("state=SUSPENDED");

        open("/audit");
        assertThat(browser.findElement(By.id("verification")).getText()).startsWith("Chain intact: ");
        assertThat(rowsOf("audit")).anySatisfy(row -> assertThat(row).contains("operator admin")
                .contains("device.suspend cut-1 state=ACTIVE state=SUSPENDED"));
        open("/devices/cut-1");
        assertThat(rowsOf("lifecycle")).first().asString().contains("device.suspend").contains("state=SUSPENDED");
        assertThat(rowsOf("device-events")).as("its refused handshake").anySatisfy(row -> assertThat(row)
                .contains("handshake-refused"));

        submit("#actions button[value=reinstate]");
        assertThat(browser.findElement(By.id("outcome")).getText()).isEqualTo("cut-1: SUSPENDED → ACTIVE");
        submit("#actions button[value=rotate]");
        assertThat(browser.findElement(By.id("outcome")).getText()).startsWith("key rotation requested for cut-1");
        assertThat(server.admin("device.show", VigilTestServer.args().put("name", "cut-1"))
                .path("rotationRequested").asBoolean()).isTrue();
    }

    @Test
    void text_from_devices_and_from_the_url_is_rendered_inert() throws Exception {
        String script = "<script>document.title='pwned'</script>";
        String tag = "<img src=x onerror=\"document.title='pwned'\">"; // no '/': it travels as one Uri-Path
        KeyPair key = server.addDevice("inert-1", "sensor");
        try (DeviceClient device = new DeviceClient(server.deviceUri(), key, server.serverPublicKey()).timeout(5_000)) {
            Request post = Request.newPost();
            post.setPayload("[{\"n\":\"status\",\"vs\":\"" + script.replace("'", "\\u0027") + "\"}]");
            post.getOptions().setContentFormat(110);
            assertThat(device.send("/t", post).code()).isEqualTo(ResponseCode.CHANGED);
            // a resource its profile does not allow: a policy-denial event naming the path the device chose
            assertThat(device.send("/" + java.net.URLEncoder.encode(tag, "UTF-8").replace("+", "%20"),
                    Request.newGet()).code()).isEqualTo(ResponseCode.FORBIDDEN);
        }
        open("/devices/inert-1");
        assertThat(rowsOf("readings")).first().asString().contains("status " + script);
        assertThat(browser.findElements(By.tagName("script"))).isEmpty();
        assertThat(browser.getTitle()).isEqualTo("Device inert-1 · Vigil console");

        open("/events");
        assertThat(rowsOf("events")).anySatisfy(row -> assertThat(row).contains("policy-denial").contains(tag));
        assertThat(browser.findElements(By.tagName("img"))).isEmpty();

        browser.get(console.base() + "/devices/" + java.net.URLEncoder.encode(script, "UTF-8").replace("+", "%20"));
        assertThat(browser.findElement(By.cssSelector("p.refused")).getText()).startsWith("device.show: ")
                .contains(script);
        assertThat(browser.findElements(By.tagName("script"))).isEmpty();
        assertThat(browser.getTitle()).as("the name as text, not run")
                .isEqualTo("Device " + script + " · Vigil console");
    }

    @Test
    void a_token_made_on_the_tokens_page_is_shown_once() throws Exception {
        open("/tokens");
        browser.findElement(By.cssSelector("#create-token input[name=profile]")).sendKeys("sensor");
        browser.findElement(By.cssSelector("#create-token input[name=name]")).sendKeys("field-7");
        submit("#create-token button");
        String token = browser.findElement(By.id("token")).getText();
        assertThat(token).startsWith("vgt_");
        assertThat(rowsOf("tokens")).anySatisfy(row -> assertThat(row).contains("sensor field-7 1"));
        open("/tokens");
        assertThat(browser.getPageSource()).doesNotContain(token);

        browser.findElement(By.cssSelector("#create-token input[name=profile]")).sendKeys("no-such-profile");
        submit("#create-token button");
        assertThat(browser.findElement(By.cssSelector("p.refused")).getText()).startsWith("token create: ");
    }

    @Test
    void an_operator_whose_role_lacks_an_operation_sees_a_plain_refusal_and_sigterm_stops_the_console()
            throws Exception {
        KeyPair alice = dev.vigil.provisioning.keys.PemFiles.generateP256();
        Path aliceKey = server.scratch("alice").resolve("alice.pem");
        dev.vigil.provisioning.keys.PemFiles.writeKeyPair(aliceKey, alice);
        server.admin("operator.add", VigilTestServer.args().put("name", "alice").put("role", "operator")
                .put("publicKey", dev.vigil.provisioning.keys.PemFiles.publicKeyPem(alice.getPublic())));
        try (ConsoleProcess limited = ConsoleProcess.start(server, aliceKey)) {
            browser.get(limited.url().toString());
            browser.get(limited.base() + "/audit");
            assertThat(browser.findElements(By.cssSelector("p.refused")).stream().map(WebElement::getText).toList())
                    .anySatisfy(text -> assertThat(text).startsWith("audit.tail: "));
            assertThat(browser.getPageSource()).doesNotContain("Exception").doesNotContain("\tat ");
            assertThat(browser.findElement(By.cssSelector("header .who")).getText())
                    .isEqualTo("operator alice (operator)");
            int exit = limited.stop();
            assertThat(exit).as("exit after SIGTERM").isIn(0, 143);
        }
    }

    @Test
    void a_bad_port_or_an_unreachable_server_is_one_line_and_nothing_is_served() throws Exception {
        CliRun badPort = server.vigil("console", "--port", "70000");
        assertThat(badPort.exitCode()).isEqualTo(2);
        assertThat(badPort.errLines()).singleElement().asString().contains("--port must be 0 to 65535, not 70000");
        assertThat(badPort.out()).isEmpty();
        CliRun unreachable = CliRun.vigil("console", "--timeout", "1", "--server", "coaps://127.0.0.1:9",
                "--operator-key", server.dataDir().adminKey().toString(), "--server-key",
                server.dataDir().serverPublicKey().toString());
        assertThat(unreachable.exitCode()).isEqualTo(3);
        assertThat(unreachable.errLines()).singleElement().asString().startsWith("vigil console: ");
        assertThat(unreachable.out()).as("no URL: nothing is served").isEmpty();
    }

    @Test
    @org.junit.jupiter.api.Order(1) // a fleet of its own devices, before the other tests add theirs
    void screenshots_of_the_main_pages() throws Exception {
        KeyPair key = server.addDevice("greenhouse-1", "sensor");
        server.addDevice("greenhouse-2", "sensor");
        server.addDevice("door-1", "actuator");
        server.admin("device.quarantine", VigilTestServer.args().put("name", "door-1"));
        for (String name : new String[] {"pump-1", "pump-2", "pump-3", "valve-1", "old-sensor-7"}) {
            KeyPair pump = server.addDevice(name, name.startsWith("valve") ? "actuator" : "sensor");
            if (name.startsWith("pump")) {
                try (DeviceClient device = new DeviceClient(server.deviceUri(), pump, server.serverPublicKey())
                        .timeout(5_000)) {
                    assertThat(device.sendTelemetry(reading(3.5)).code()).isEqualTo(ResponseCode.CHANGED);
                }
            }
        }
        server.admin("device.trust.pin", VigilTestServer.args().put("name", "pump-2").put("tier", "LIMITED"));
        server.admin("device.decommission", VigilTestServer.args().put("name", "old-sensor-7"));
        try (DeviceClient device = new DeviceClient(server.deviceUri(), key, server.serverPublicKey()).timeout(5_000)) {
            long start = java.time.Instant.now().getEpochSecond() - 2 * 3600; // two hours, a reading every 10 minutes
            for (String[] series : new String[][] {{"temp", "Cel", "21.5", "2.5"}, {"hum", "%RH", "48", "-6"}}) {
                StringBuilder pack = new StringBuilder("[{\"bn\":\"\",\"bt\":" + start + ",\"bu\":\"" + series[1]
                        + "\",\"n\":\"" + series[0] + "\",\"v\":" + series[2] + ",\"t\":0}");
                for (int i = 1; i <= 12; i++) {
                    double v = Double.parseDouble(series[2]) + Double.parseDouble(series[3]) * Math.sin(i / 4.0)
                            + (i % 3 - 1) * 0.2;
                    pack.append(String.format(java.util.Locale.ROOT, ",{\"n\":\"%s\",\"v\":%.1f,\"t\":%d}",
                            series[0], v, i * 600));
                }
                Request post = Request.newPost();
                post.setPayload(pack.append(']').toString());
                post.getOptions().setContentFormat(110); // SenML JSON
                assertThat(device.send("/t", post).code()).isEqualTo(ResponseCode.CHANGED);
            }
        }
        server.admin("device.suspend", VigilTestServer.args().put("name", "greenhouse-2"));
        Path target = Files.createDirectories(Path.of("target", "console-screenshots"));
        String copyTo = System.getProperty(SCREENSHOTS);
        for (String[] shot : new String[][] {{"/", "overview"}, {"/devices/greenhouse-1", "device"},
            {"/audit", "audit"}}) {
            browser.manage().window().setSize(new Dimension(1280, 800));
            open(shot[0]);
            long height = (Long) browser.executeScript("return document.documentElement.scrollHeight");
            long chrome = (Long) browser.executeScript("return window.outerHeight - window.innerHeight");
            browser.manage().window().setSize(new Dimension(1280, (int) Math.min(2400, height + chrome)));
            byte[] png = browser.getScreenshotAs(OutputType.BYTES);
            assertThat(png).startsWith((byte) 0x89, (byte) 'P', (byte) 'N', (byte) 'G');
            Files.write(target.resolve(shot[1] + ".png"), png);
            if (copyTo != null && !copyTo.isBlank()) {
                Files.write(Files.createDirectories(Path.of(copyTo)).resolve(shot[1] + ".png"), png);
            }
        }
    }
}
