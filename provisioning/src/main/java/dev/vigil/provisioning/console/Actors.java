package dev.vigil.provisioning.console;

/**
 * Who did it, as operators read it. The server labels an operator's key id as "NAME (KEY ID)", with " (retired)"
 * or " (removed)" after it when that key or operator is gone; the console shows "operator NAME" (plus that remark)
 * with the key id on hover, and any other actor (a device key, "system (...)") as the audit log holds it.
 */
final class Actors {

    private Actors() {
    }

    /** {@code actor} (a key id or a system actor) as HTML, given the server's {@code label} for it (may be null). */
    static String html(String actor, String label) {
        String keyPart = " (" + actor + ")";
        int at = label == null ? -1 : label.indexOf(keyPart);
        if (at <= 0) {
            return "<span class=\"mono\">" + Html.esc(actor) + "</span>";
        }
        return "<span title=\"" + Html.esc(actor) + "\">operator " + Html.esc(label.substring(0, at))
                + Html.esc(label.substring(at + keyPart.length())) + "</span>";
    }
}
