package dev.k8sebpf.agent.httpparse;

/** The status code of an HTTP/1.x status line ({@code HTTP/1.1 200 OK}), from the first bytes of a send. */
public final class StatusLine {
    /** "HTTP/1.x " */
    private static final int CODE_AT = 9;

    private StatusLine() {
    }

    /**
     * The code (100-599) of the status line {@code data} starts with, or -1 if it does not start with
     * {@code HTTP/1.0} or {@code HTTP/1.1}, a space and three digits followed by a space, CR or the end of
     * what was captured.
     */
    public static int code(byte[] data, int length) {
        if (length < CODE_AT + 3 || data[0] != 'H' || data[1] != 'T' || data[2] != 'T' || data[3] != 'P' || data[4] != '/'
                || data[5] != '1' || data[6] != '.' || (data[7] != '0' && data[7] != '1') || data[8] != ' ') {
            return -1;
        }
        int code = 0;
        for (int i = CODE_AT; i < CODE_AT + 3; i++) {
            if (data[i] < '0' || data[i] > '9') {
                return -1;
            }
            code = code * 10 + data[i] - '0';
        }
        if (length > CODE_AT + 3 && data[CODE_AT + 3] != ' ' && data[CODE_AT + 3] != '\r') {
            return -1;
        }
        return code >= 100 && code <= 599 ? code : -1;
    }

    /** An interim response (100 Continue, 103 Early Hints): the final one to the same request follows. 101 ends HTTP/1.x. */
    public static boolean interim(int code) {
        return code >= 100 && code < 200 && code != 101;
    }
}
