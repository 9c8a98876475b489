package dev.vigil.server;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.eclipse.californium.core.CoapResource;
import org.eclipse.californium.core.WebLink;
import org.eclipse.californium.core.coap.LinkFormat;
import org.eclipse.californium.core.server.resources.DiscoveryResource;

/**
 * Fuzzes the query of {@code GET /.well-known/core?...} (RFC 6690 §4.1 filters) against the device
 * endpoint's real resources. Oracle: whatever the query, the answer lists only links the caller may
 * use (an unknown key: {@code /enroll}; a sensor: {@code /t} and {@code /key}), every one of them a
 * link of the unfiltered answer, and it serialises. Regression inputs:
 * {@code LinkQueryFuzzTestInputs/discover/} (the URI-Query options, separated by {@code &}).
 */
class LinkQueryFuzzTest {

    private static final CoapResource ROOT = root();
    private static final List<Set<String>> CALLERS = List.of(Set.of("enroll"), Set.of("t", "key"));

    private static CoapResource root() {
        CoapResource root = new CoapResource("");
        CoapResource wellKnown = new CoapResource(".well-known");
        wellKnown.add(new DiscoveryResource(root));
        root.add(wellKnown);
        root.add(new TelemetryResource(null, null, null, 4096, null));
        root.add(new EnrollResource(null, null));
        root.add(new KeyResource(null));
        return root;
    }

    private static Set<String> uris(Set<WebLink> links) {
        return links.stream().map(WebLink::getURI).collect(Collectors.toSet());
    }

    @FuzzTest
    @DictionaryEntries({"href=", "rt=", "if=", "ct=", "title=", "sz=", "obs", "*", "/t", "/key", "/enroll",
        "/.well-known/core", "110", "112", "Telemetry (SenML)"})
    void discover(byte[] query) {
        List<String> options = Arrays.asList(new String(query, StandardCharsets.UTF_8).split("&", -1));
        for (Set<String> may : CALLERS) {
            Set<String> all = uris(RequestGate.visibleLinks(ROOT, List.of(), may::contains));
            Set<WebLink> links = RequestGate.visibleLinks(ROOT, options, may::contains);
            for (WebLink link : links) {
                String resource = link.getURI().substring(1).split("/")[0];
                DeviceBodiesFuzzTest.require(may.contains(resource), "only " + may, link);
                DeviceBodiesFuzzTest.require(all.contains(link.getURI()), "a link of the unfiltered answer", link);
            }
            LinkFormat.serialize(links);
        }
    }
}
