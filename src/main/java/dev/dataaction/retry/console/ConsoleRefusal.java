package dev.dataaction.retry.console;

/** A console request that is refused with a page saying why. */
class ConsoleRefusal extends RuntimeException {

    private final int status;

    private ConsoleRefusal(int status, String message) {
        super(message, null, false, false);
        this.status = status;
    }

    int status() {
        return status;
    }

    static ConsoleRefusal staleForm() {
        return new ConsoleRefusal(403, "This form expired or did not come from the console. Reload the page and try again.");
    }

    static ConsoleRefusal viewerOnly(String label) {
        return new ConsoleRefusal(403, "The key labelled " + label + " can view but not act. Sign in with an operator's "
                + "key to change anything.");
    }

    static ConsoleRefusal notFound(String what) {
        return new ConsoleRefusal(404, what);
    }

    static ConsoleRefusal invalid(String what) {
        return new ConsoleRefusal(400, what);
    }

    static ConsoleRefusal storeUnavailable() {
        return new ConsoleRefusal(503, "The retry store cannot be reached right now. Try again in a moment.");
    }
}
