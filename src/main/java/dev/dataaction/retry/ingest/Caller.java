package dev.dataaction.retry.ingest;

import jakarta.enterprise.context.RequestScoped;

/** Who makes the current request: the label of its API key ({@link ApiKeys}), as the audit trail names it. */
@RequestScoped
class Caller {

    private String label = ApiKeys.ANONYMOUS;

    void is(String label) {
        this.label = label;
    }

    String label() {
        return label;
    }
}
