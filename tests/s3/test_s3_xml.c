/* Reading S3's XML answers (lib/objects/s3/s3_xml.h) without a server:
 * ListObjectsV2 pages, entity decoding of keys, error codes, and the
 * answers that must be refused rather than guessed at. */
#include "testutil.h"

#include "objects/s3/s3_xml.h"

#include <mlops.h>
#include <stdlib.h>
#include <string.h>

static int parse(const char *xml, mlops__s3_list_page *p)
{
    return mlops__s3_parse_list("t", "test", xml, strlen(xml), p);
}

START_TEST(reads_a_page)
{
    const char *xml =
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        "<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Name>b</Name>"
        "<Prefix>p/</Prefix><KeyCount>3</KeyCount><MaxKeys>3</MaxKeys>"
        "<IsTruncated>true</IsTruncated>"
        "<Contents><Key>p/a&amp;b &lt;c&gt; &quot;d&quot; &apos;e&apos;</Key>"
        "<LastModified>2026-12-03T16:00:00.000Z</LastModified><ETag>&quot;x&quot;</ETag>"
        "<Size>12</Size><StorageClass>STANDARD</StorageClass></Contents>"
        "<Contents><Key>p/&#252;&#x00FC;&#x1F600;</Key><Size>0</Size></Contents>"
        "<Contents><Size>18446744073709551615</Size><Key>p/z</Key></Contents>"
        "<NextContinuationToken>tok+/=&amp;1</NextContinuationToken></ListBucketResult>";
    mlops__s3_list_page p;
    TU_OK(parse(xml, &p));
    ck_assert_uint_eq(p.n, 3);
    ck_assert_str_eq(p.entries[0].key, "p/a&b <c> \"d\" 'e'");
    ck_assert_uint_eq(p.entries[0].size, 12);
    ck_assert(p.entries[0].mtime_ms == INT64_C(1796313600000)); /* 2026-12-03T16:00:00.000Z */
    ck_assert(p.entries[1].mtime_ms == -1);
    ck_assert_str_eq(p.entries[1].key, "p/\xc3\xbc\xc3\xbc\xf0\x9f\x98\x80");
    ck_assert_uint_eq(p.entries[1].size, 0);
    ck_assert_str_eq(p.entries[2].key, "p/z");
    ck_assert(p.entries[2].size == UINT64_MAX);
    ck_assert_int_eq(p.truncated, 1);
    ck_assert_str_eq(p.next_token, "tok+/=&1");
    mlops__s3_list_page_free(&p);
}
END_TEST

START_TEST(reads_an_empty_last_page)
{
    mlops__s3_list_page p;
    TU_OK(parse("<ListBucketResult><IsTruncated>false</IsTruncated></ListBucketResult>", &p));
    ck_assert_uint_eq(p.n, 0);
    ck_assert_int_eq(p.truncated, 0);
    ck_assert_ptr_null(p.next_token);
    mlops__s3_list_page_free(&p);
    /* Many entries: the array grows. */
    char *xml = malloc(200 * 60 + 100);
    strcpy(xml, "<ListBucketResult>");
    for (int i = 0; i < 200; i++)
        sprintf(xml + strlen(xml), "<Contents><Key>k%03d</Key><Size>%d</Size></Contents>", i, i);
    strcat(xml, "</ListBucketResult>");
    TU_OK(parse(xml, &p));
    ck_assert_uint_eq(p.n, 200);
    ck_assert_str_eq(p.entries[199].key, "k199");
    ck_assert_uint_eq(p.entries[199].size, 199);
    mlops__s3_list_page_free(&p);
    free(xml);
}
END_TEST

/* Each of these is refused with MLOPS_EFORMAT, not read as something. */
START_TEST(refuses_malformed_pages)
{
    const char *bad[] = {
        "<Error><Code>NoSuchBucket</Code></Error>",
        "<ListBucketResult><IsTruncated>yes</IsTruncated></ListBucketResult>",
        "<ListBucketResult><Contents><Size>1</Size></Contents></ListBucketResult>",
        "<ListBucketResult><Contents><Key>k</Key></Contents></ListBucketResult>",
        "<ListBucketResult><Contents><Key>k</Key><Size>-1</Size></Contents></ListBucketResult>",
        ("<ListBucketResult><Contents><Key>k</Key><Size>18446744073709551616</Size></Contents>"
         "</ListBucketResult>"),
        "<ListBucketResult><Contents><Key>k</Key><Size></Size></Contents></ListBucketResult>",
        "<ListBucketResult><Contents><Key>a&bogus;</Key><Size>1</Size></Contents></ListBucketResult>",
        "<ListBucketResult><Contents><Key>k</Key><Size>1</Size>"
        "<LastModified>2026-13-03T16:00:00.000Z</LastModified></Contents></ListBucketResult>",
        "<ListBucketResult><Contents><Key>k</Key><Size>1</Size>"
        "<LastModified>2026-12-03 16:00:00</LastModified></Contents></ListBucketResult>",
        "<ListBucketResult><Contents><Key>a&amp</Key><Size>1</Size></Contents></ListBucketResult>",
        "<ListBucketResult><Contents><Key>a&#0;</Key><Size>1</Size></Contents></ListBucketResult>",
        "<ListBucketResult><Contents><Key>a&#xD800;</Key><Size>1</Size></Contents></ListBucketResult>",
        "<ListBucketResult><Contents><Key>a&#x110000;</Key><Size>1</Size></Contents></ListBucketResult>",
        "<ListBucketResult><Contents><Key>a&#x;</Key><Size>1</Size></Contents></ListBucketResult>",
        "<ListBucketResult><Contents><Key>a&#12a;</Key><Size>1</Size></Contents></ListBucketResult>",
        "<ListBucketResult><Contents><Key>\xc3(</Key><Size>1</Size></Contents></ListBucketResult>",
        "<ListBucketResult><Contents><Key>a<b/>c</Key><Size>1</Size></Contents></ListBucketResult>",
        "<ListBucketResult><NextContinuationToken>&x;</NextContinuationToken></ListBucketResult>",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        mlops__s3_list_page p;
        int rc = parse(bad[i], &p);
        ck_assert_msg(rc == MLOPS_EFORMAT, "case %zu -> %d", i, rc);
        ck_assert_ptr_nonnull(strstr(mlops_last_error(), "t: test"));
        mlops__s3_list_page_free(&p);
    }
}
END_TEST

START_TEST(error_codes)
{
    char code[32];
    const char *xml = "<?xml version=\"1.0\"?><Error><Code>SlowDown</Code>"
                      "<Message>Please reduce your request rate.</Message></Error>";
    mlops__s3_error_code(xml, strlen(xml), code, sizeof code);
    ck_assert_str_eq(code, "SlowDown");
    /* Only letters and digits, and no more than fits. */
    xml = "<Error><Code>Bad\r\nCode</Code></Error>";
    mlops__s3_error_code(xml, strlen(xml), code, sizeof code);
    ck_assert_str_eq(code, "Bad");
    xml = "<Error><Code>SignatureDoesNotMatch</Code></Error>";
    mlops__s3_error_code(xml, strlen(xml), code, 10);
    ck_assert_str_eq(code, "Signature");
    mlops__s3_error_code("", 0, code, sizeof code);
    ck_assert_str_eq(code, "");
    mlops__s3_error_code(NULL, 0, code, sizeof code);
    ck_assert_str_eq(code, "");
    xml = "<Error><Code>Unclosed";
    mlops__s3_error_code(xml, strlen(xml), code, sizeof code);
    ck_assert_str_eq(code, "");
}
END_TEST

START_TEST(decodes_text)
{
    int bad = 0;
    char *s = mlops__xml_text_decode("a&#9;b&#xA;c&#13;", 17, &bad);
    ck_assert_ptr_nonnull(s);
    ck_assert_str_eq(s, "a\tb\nc\r");
    free(s);
    s = mlops__xml_text_decode("plain", 5, &bad);
    ck_assert_str_eq(s, "plain");
    free(s);
    /* Only n bytes are read. */
    s = mlops__xml_text_decode("ab&amp;", 2, &bad);
    ck_assert_str_eq(s, "ab");
    free(s);
    ck_assert_ptr_null(mlops__xml_text_decode("a&#1;", 5, &bad));
    ck_assert_int_eq(bad, 1);
    ck_assert_ptr_null(mlops__xml_text_decode("a\0b", 3, &bad));
    ck_assert_int_eq(bad, 1);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("s3_xml");
    TCase *tc = tcase_create("s3_xml");
    tcase_add_test(tc, reads_a_page);
    tcase_add_test(tc, reads_an_empty_last_page);
    tcase_add_test(tc, refuses_malformed_pages);
    tcase_add_test(tc, error_codes);
    tcase_add_test(tc, decodes_text);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return tu_run(suite());
}
