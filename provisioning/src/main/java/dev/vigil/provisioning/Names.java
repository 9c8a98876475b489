package dev.vigil.provisioning;

import java.util.regex.Pattern;

/** Rules for operator-chosen names of devices, operators and profiles. */
public final class Names {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

    private Names() {
    }

    /** Returns {@code name} if valid; otherwise throws with a message naming {@code what}. */
    public static String require(String what, String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException(what + " must be 1-64 characters of letters, digits, '.', '_' or '-',"
                    + " starting with a letter or digit: " + (name == null ? "(none)" : "'" + name + "'"));
        }
        return name;
    }
}
