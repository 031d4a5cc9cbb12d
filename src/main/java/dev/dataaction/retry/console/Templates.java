package dev.dataaction.retry.console;

import java.util.List;

import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;

/** The console's pages, checked against what each is given when the application is built. */
@CheckedTemplate(basePath = "console")
final class Templates {

    private Templates() {
    }

    static native TemplateInstance signIn(String error);

    static native TemplateInstance overview(ConsolePage page, OverviewResource.Overview overview);

    static native TemplateInstance overviewPanel(OverviewResource.Overview overview);

    static native TemplateInstance failures(ConsolePage page, List<FailuresResource.Group> groups);

    static native TemplateInstance confirm(ConsolePage page, FailuresResource.Confirmation confirmation);

    static native TemplateInstance retries(ConsolePage page, RetriesResource.Listing listing);

    static native TemplateInstance retry(ConsolePage page, RetriesResource.Detail retry);

    static native TemplateInstance actions(ConsolePage page, List<ActionsResource.Row> actions,
            ActionsResource.Service service);

    static native TemplateInstance refused(String id, String title, String message);
}
