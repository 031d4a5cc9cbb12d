package dev.dataaction.retry.console;

import java.util.Locale;

/**
 * What every console page shows around its content.
 *
 * @param section the navigation entry that is current
 * @param role {@code viewer} or {@code operator}
 * @param mayAct whether the page shows the forms that change something
 * @param csrf the token every form of the page carries
 * @param notice what the request that led here did, if it did something
 */
public record ConsolePage(String title, Section section, String label, String role, boolean mayAct, String csrf,
        String notice) {

    public enum Section {
        OVERVIEW,
        FAILURES,
        RETRIES,
        ACTIONS
    }

    /** The current section as the navigation names it: {@code overview}, {@code failures}, ... */
    public String current() {
        return section.name().toLowerCase(Locale.ROOT);
    }
}
