"""The demo's portal (docs/decisions/0024), through the news services, actor = the system: a
handful of articles about the three localities, written for the demo in our own words, one
with a generated picture and live figures; one scheduled for tomorrow, one awaiting review (the
demo editor's work); readers' comments in every moderation state. Dated from the run day."""

from datetime import timedelta
from io import BytesIO

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image, ImageDraw

from dangvu.news.captcha import question_new
from dangvu.news.models import Article, Category, Comment
from dangvu.news.services import (
    article_create,
    article_publish,
    article_submit,
    categories_ensure,
    image_add,
)
from dangvu.organisations.models import Organisation

__all__ = ["record_news"]

ARTICLES = [
    {
        "org": "T51",
        "category": "xay-dung-dang",
        "title": "Đăk Glei: tạo nguồn phát triển đảng viên trong đồng bào dân tộc thiểu số",
        "lead": "Từ các chi bộ thôn, quần chúng ưu tú được giới thiệu học lớp nhận thức về Đảng "
        "ngay tại cụm xã, không phải đi xa.",
        "body": "<p>Các chi bộ thôn của vùng Đăk Glei cũ lập danh sách quần chúng ưu tú, phân "
        "công đảng viên giúp đỡ từng người và theo dõi đến khi đủ điều kiện kết nạp.</p>"
        "<h2>Số liệu hôm nay</h2><p>Đảng bộ tỉnh Quảng Ngãi hiện có "
        "[[so-lieu:members:T51]]; tỷ lệ [[so-lieu:ethnic_minority_share:T51]].</p>"
        "<blockquote>Lớp học mở ở cụm xã giúp người học không phải nghỉ việc nương rẫy nhiều "
        "ngày.</blockquote>",
        "tags": "phát triển đảng viên, dân tộc thiểu số, Đăk Glei",
        "source": "Dangvu (bài mẫu)",
        "author": "Ban biên tập",
        "featured": True,
        "days_ago": 2,
        "photo": ("Lớp bồi dưỡng nhận thức về Đảng ở cụm xã (ảnh minh họa tạo tự động)", "Dangvu"),
    },
    {
        "org": "T08",
        "category": "xay-dung-dang",
        "title": "Quang Bình: ủy viên ban thường vụ dự sinh hoạt chi bộ, mỗi buổi đều được "
        "đánh giá",
        "lead": "Thực hiện Chỉ thị 12-CT/TU, mỗi đảng viên được giao nhiệm vụ cụ thể, phù hợp "
        "với sức khỏe và điều kiện.",
        "body": "<p>Sau mỗi buổi sinh hoạt, chi bộ tự chấm điểm theo tiêu chí của tỉnh; người "
        "dự theo phân công ghi nhận xét về chuẩn bị và tham gia của đảng viên.</p>"
        "<p>Các lớp trực tuyến về nghiệp vụ công tác đảng giúp bí thư chi bộ ở thôn xa không "
        "phải về huyện.</p>",
        "tags": "sinh hoạt chi bộ, Chỉ thị 12-CT/TU, Quang Bình",
        "source": "Dangvu (bài mẫu)",
        "author": "Ban biên tập",
        "days_ago": 5,
    },
    {
        "org": "T96",
        "category": "tuyen-truyen",
        "title": "Cà Mau: báo chí lan tỏa mô hình mới, cách làm sáng tạo trong xây dựng Đảng",
        "lead": "Kế hoạch 90-KH/TU giao các huyện ủy và cơ quan báo chí xây dựng kế hoạch riêng "
        "để tuyên truyền về công tác xây dựng Đảng.",
        "body": "<p>Đài truyền thanh xã, ấp đưa tin về mô hình dân vận khéo; chuyên mục xây "
        "dựng Đảng trên báo địa phương giới thiệu cách làm hay ở cơ sở.</p>"
        "<p>Đảng bộ tỉnh hiện có [[so-lieu:members:T96]], trong đó "
        "[[so-lieu:women_share:T96]].</p>",
        "tags": "tuyên truyền, Kế hoạch 90-KH/TU, Cà Mau, mô hình hay",
        "source": "Dangvu (bài mẫu)",
        "author": "Ban biên tập",
        "days_ago": 9,
    },
    {
        "org": "T51",
        "category": "mo-hinh-hay",
        "title": "Chi bộ thôn giới thiệu mô hình tổ tự quản đường làng",
        "lead": "Mỗi chi bộ chọn một cách làm hay để giới thiệu tại buổi sinh hoạt chi bộ.",
        "body": "<p>Tổ tự quản do đảng viên làm tổ trưởng duy trì vệ sinh đường làng mỗi tuần; "
        "chi bộ đưa kết quả vào nghị quyết tháng.</p>",
        "tags": "mô hình hay, sinh hoạt chi bộ",
        "source": "Dangvu (bài mẫu)",
        "author": "Ban biên tập",
        "days_ago": 1,
    },
]

COMMENTS = [
    ("Y Hiền", "Lớp học ở cụm xã rất thuận tiện cho bà con.", "approved"),
    ("A Thái", "Mong có thêm lớp vào mùa khô.", "held"),
    ("Nguyễn Văn Tư", "Xin hỏi cách đăng ký học lớp nhận thức?", "held"),
    ("Khách", "Quảng cáo: vay tiền nhanh", "spam"),
    ("Ẩn danh", "Nội dung không liên quan đến bài.", "rejected"),
]


def _photo() -> SimpleUploadedFile:
    """A generated picture (stripes in the portal's colours): no real photo in the demo."""
    im = Image.new("RGB", (1600, 900), (183, 28, 28))
    draw = ImageDraw.Draw(im)
    for i in range(0, 1600, 80):
        draw.rectangle([i, 600, i + 40, 900], fill=(251, 192, 45))
    out = BytesIO()
    im.save(out, "JPEG", quality=85)
    return SimpleUploadedFile("lop-hoc.jpg", out.getvalue(), content_type="image/jpeg")


def _make(spec: dict, category) -> Article:
    org = Organisation.objects.get(code=spec["org"])
    return article_create(
        actor=None,
        organisation=org,
        data={k: spec.get(k, "") for k in ("title", "lead", "body", "tags", "source", "author")}
        | {"category": category, "featured": spec.get("featured", False)},
    )


def record_news() -> int:
    """Returns how many articles were written."""
    if not Organisation.objects.filter(code="T51").exists():
        return 0
    categories_ensure()
    categories = {c.slug: c for c in Category.objects.all()}
    now = timezone.now()
    first = None
    for spec in ARTICLES:
        a = _make(spec, categories[spec["category"]])
        if spec.get("photo"):
            image_add(actor=None, article=a, upload=_photo(), caption=spec["photo"][0],
                      credit=spec["photo"][1])  # fmt: skip
        article_publish(actor=None, article=a)
        Article.objects.filter(pk=a.pk).update(
            publish_at=now - timedelta(days=spec["days_ago"], hours=3)
        )
        first = first or a
    scheduled = _make(
        {
            "org": "T51",
            "title": "Hướng dẫn học tập nghị quyết cho đảng viên cao tuổi",
            "lead": "Chi bộ tổ chức học tập tại nhà cho đảng viên cao tuổi, sức khỏe yếu.",
            "body": "<p>Bí thư chi bộ phân công đảng viên trẻ đến tận nhà.</p>",
            "tags": "sinh hoạt chi bộ",
        },
        categories["xay-dung-dang"],
    )
    article_publish(actor=None, article=scheduled, at=now + timedelta(days=1))
    review = _make(
        {
            "org": "T51",
            "title": "Kết quả thực hiện kế hoạch tuyên truyền mô hình mới ở các xã",
            "lead": "Bản nháp chờ duyệt.",
            "body": "<p>Tổng hợp báo cáo của các đảng ủy xã.</p>",
        },
        categories["tuyen-truyen"],
    )
    article_submit(actor=None, article=review)
    for i, (name, text, state) in enumerate(COMMENTS):
        c = Comment(
            article=first,
            name=name,
            email=f"ban.doc{i}@example.vn",
            text=text,
            state=state,
            nonce=question_new().token[-32:],
        )
        c.place_in(first.organisation)
        c.save()
    return len(ARTICLES) + 2
