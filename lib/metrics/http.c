/* SPDX-License-Identifier: MIT */
#include <curl/curl.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/fileio.h"
#include "core/macro.h"
#include "core/redact.h"
#include "dl/dl.h"
#include "metrics/http.h"

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static void curl_init_once(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
}

struct sink {
    struct buf b;
    bool overflow;
};

static size_t on_data(char *p, size_t size, size_t nmemb, void *userdata)
{
    struct sink *s = userdata;
    size_t n = size * nmemb;
    if (buf_append(&s->b, p, n) < 0) {
        s->overflow = true;
        return 0;
    }
    return n;
}

static int on_progress(void *userdata, curl_off_t a, curl_off_t b, curl_off_t c, curl_off_t d)
{
    volatile int *cancel = userdata;
    (void)a, (void)b, (void)c, (void)d;
    return cancel && *cancel ? 1 : 0;
}

/* First line of a credential file (max 4 KiB), caller owns. */
static int read_secret(const char *path, char **ret)
{
    char *s = NULL;
    size_t n;
    int r = read_file(path, 4096, &s, &n);
    if (r < 0) {
        free(s);
        return r;
    }
    s[strcspn(s, "\r\n")] = '\0';
    *ret = s;
    return 0;
}

static void set_err(char **ret_err, const char *url, const char *what)
{
    if (!ret_err) return;
    _cleanup_free_ char *u = redact_dup(url, NULL);
    if (asprintf(ret_err, "'%s': %s", u ? u : "?", what) < 0) *ret_err = NULL;
}

char *http_escape(const char *s)
{
    pthread_once(&curl_once, curl_init_once);
    char *e = curl_easy_escape(NULL, s, 0);
    if (!e) return NULL;
    char *r = strdup(e);
    curl_free(e);
    return r;
}

int http_request(const struct http_opts *o, const char *method, const char *url, const char *body,
                 const char *content_type, long *ret_status, char **ret_body, char **ret_err)
{
    static const struct http_opts none = { 0 };
    if (!o) o = &none;
    if (!url || !method) return -EINVAL;
    if (!startswith(url, "http://") && !startswith(url, "https://")) {
        set_err(ret_err, url, "not an http(s) URL");
        return -EINVAL;
    }
    pthread_once(&curl_once, curl_init_once);
    int r = 0;
    _cleanup_free_ char *token = NULL, *password = NULL, *auth_hdr = NULL, *ct_hdr = NULL;
    if (o->bearer_token_file && (r = read_secret(o->bearer_token_file, &token)) < 0) {
        set_err(ret_err, o->bearer_token_file, "cannot read bearer token file");
        return r == -ENOENT || r == -EACCES ? -EINVAL : r;
    }
    if (o->basic_password_file && (r = read_secret(o->basic_password_file, &password)) < 0) {
        set_err(ret_err, o->basic_password_file, "cannot read password file");
        return r == -ENOENT || r == -EACCES ? -EINVAL : r;
    }
    CURL *c = curl_easy_init();
    if (!c) return dl_load(DL_CURL) < 0 ? -ELIBACC : -ENOMEM; /* libcurl missing: say so */
    struct curl_slist *hdrs = NULL;
    struct sink sink = { .overflow = false };
    buf_init(&sink.b, o->max_body ? o->max_body : (16u << 20));
    int64_t total = o->timeout_ms > 0 ? o->timeout_ms : 10000;
    char errbuf[CURL_ERROR_SIZE] = "";

    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)total);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, (long)TS_MIN(total, 3000));
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(c, CURLOPT_USERAGENT, "tshoot/" TSHOOT_VERSION);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &sink);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
    curl_easy_setopt(c, CURLOPT_XFERINFODATA, (void *)o->cancel);
    if (o->ca_file) curl_easy_setopt(c, CURLOPT_CAINFO, o->ca_file);
    if (token) {
        if (asprintf(&auth_hdr, "Authorization: Bearer %s", token) < 0) auth_hdr = NULL;
        if (auth_hdr) hdrs = curl_slist_append(hdrs, auth_hdr);
    }
    if (o->basic_user) {
        curl_easy_setopt(c, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
        curl_easy_setopt(c, CURLOPT_USERNAME, o->basic_user);
        curl_easy_setopt(c, CURLOPT_PASSWORD, password ? password : "");
    }
    if (streq(method, "POST")) {
        curl_easy_setopt(c, CURLOPT_POST, 1L);
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body ? body : "");
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)(body ? strlen(body) : 0));
        if (asprintf(&ct_hdr, "Content-Type: %s",
                     content_type ? content_type : "application/json") < 0)
            ct_hdr = NULL;
        if (ct_hdr) hdrs = curl_slist_append(hdrs, ct_hdr);
    } else if (!streq(method, "GET")) {
        curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    }
    if (hdrs) curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);

    CURLcode cc = curl_easy_perform(c);
    long status = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    if (cc != CURLE_OK) {
        switch (cc) {
        case CURLE_COULDNT_CONNECT: r = -ECONNREFUSED; break;
        case CURLE_OPERATION_TIMEDOUT: r = -ETIMEDOUT; break;
        case CURLE_ABORTED_BY_CALLBACK: r = -ECANCELED; break;
        case CURLE_WRITE_ERROR: r = sink.overflow ? -EFBIG : -EIO; break;
        case CURLE_URL_MALFORMAT:
        case CURLE_UNSUPPORTED_PROTOCOL: r = -EINVAL; break;
        case CURLE_COULDNT_RESOLVE_HOST: r = -EHOSTUNREACH; break;
        default: r = -EIO;
        }
        set_err(ret_err, url, *errbuf ? errbuf : curl_easy_strerror(cc));
    } else {
        if (ret_status) *ret_status = status;
        if (ret_body) {
            *ret_body = buf_take(&sink.b);
            if (!*ret_body) r = -ENOMEM;
        }
    }
    buf_release(&sink.b);
    curl_slist_free_all(hdrs);
    curl_easy_cleanup(c);
    if (password) explicit_bzero(password, strlen(password));
    if (token) explicit_bzero(token, strlen(token));
    if (auth_hdr) explicit_bzero(auth_hdr, strlen(auth_hdr));
    return r;
}
