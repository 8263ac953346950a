from django.apps import AppConfig


class NewsConfig(AppConfig):
    name = "dangvu.news"
    label = "news"
    verbose_name = "News"

    def ready(self):
        from dangvu.core.registry import DueSource, OrgBound, register_due, register_org_bound
        from dangvu.news.models import Article, Comment
        from dangvu.news.selectors import news_due
        from dangvu.news.services import articles_move, comments_move

        # An article is its publishing committee's, a comment its article's committee's (whose
        # moderators judge it): after a merge or split both stay as that committee's history;
        # a move rewrites their paths. What the public reads is decided by publication, not by
        # the gate (news.selectors.published).
        register_org_bound(
            OrgBound(model=Article, label="articles", view_action="news.edit", move=articles_move)
        )
        register_org_bound(
            OrgBound(
                model=Comment, label="comments", view_action="news.moderate", move=comments_move
            )
        )
        register_due(DueSource(name="news", order=60, items=news_due))
