package dev.vigil.provisioning.console;

/** What the console sends back: a status and an HTML document. */
record Reply(int status, String html) {

    static Reply ok(String html) {
        return new Reply(200, html);
    }
}
