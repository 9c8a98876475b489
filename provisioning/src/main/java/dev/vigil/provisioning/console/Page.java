package dev.vigil.provisioning.console;

/** One screen of the console (GET), or one action (POST) that answers with a screen. */
interface Page {
    Reply handle(ConsoleRequest request);
}
