// SMTP through libcurl: no SMTP is written here. STARTTLS is asked for as
// the config says (required: refuse a relay that does not offer it), the
// relay's certificate is checked against the system's CAs or `ca_file`, and
// AUTH is used when a username is set. A progress callback checks the stop
// flag so that stopping never waits out a slow relay.
#include "webhook/mailer.hpp"

#include <boost/asio/post.hpp>
#include <curl/curl.h>

#include <cstring>
#include <memory>
#include <mutex>

namespace opel::webhook {

namespace {

/// The message, read by curl in pieces.
struct reader {
    const std::string& text;
    std::size_t at = 0;
};

std::size_t read_piece(char* buffer, std::size_t size, std::size_t count, void* user) {
    auto& r = *static_cast<reader*>(user);
    const auto n = std::min(size * count, r.text.size() - r.at);
    std::memcpy(buffer, r.text.data() + r.at, n);
    r.at += n;
    return n;
}

int progress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
    return static_cast<std::atomic<bool>*>(user)->load() ? 1 : 0; // non-zero aborts
}

void global_init() {
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

curl_usessl tls_level(config::starttls_mode m) {
    switch (m) {
    case config::starttls_mode::required: return CURLUSESSL_ALL;
    case config::starttls_mode::optional: return CURLUSESSL_TRY;
    case config::starttls_mode::off: return CURLUSESSL_NONE;
    }
    return CURLUSESSL_ALL;
}

} // namespace

mailer::mailer(boost::asio::any_io_executor ex) : ex_(std::move(ex)) {
    global_init();
    thread_ = std::thread([this] { run(); });
}

mailer::~mailer() {
    stop();
    thread_.join();
}

void mailer::send(mail m, report done) {
    {
        std::lock_guard lock(mu_);
        queue_.emplace_back(std::move(m), std::move(done));
    }
    cv_.notify_one();
}

void mailer::stop() {
    {
        std::lock_guard lock(mu_);
        stopping_ = true;
        queue_.clear();
    }
    cv_.notify_one();
}

void mailer::run() {
    for (;;) {
        std::pair<mail, report> next;
        {
            std::unique_lock lock(mu_);
            cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
            if (stopping_)
                return;
            next = std::move(queue_.front());
            queue_.pop_front();
        }
        auto o = deliver(next.first);
        if (stopping_)
            return;
        boost::asio::post(ex_, [done = std::move(next.second), o = std::move(o)]() mutable {
            done(std::move(o));
        });
    }
}

outcome mailer::deliver(const mail& m) {
    const std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(),
                                                                    &curl_easy_cleanup);
    if (!curl)
        return {false, "smtp: libcurl could not start"};
    curl_slist* rcpt = nullptr;
    for (const auto& to : m.to)
        rcpt = curl_slist_append(rcpt, ("<" + to + ">").c_str());
    const std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> rcpt_list(
        rcpt, &curl_slist_free_all);
    const auto url = "smtp://" + m.smtp.host + ":" + std::to_string(m.smtp.port);
    const auto from = "<" + m.smtp.from + ">";
    reader body{m.message};
    char error[CURL_ERROR_SIZE] = {0};
    CURL* c = curl.get();
    curl_easy_setopt(c, CURLOPT_URL, url.c_str());
    curl_easy_setopt(c, CURLOPT_USE_SSL, static_cast<long>(tls_level(m.smtp.starttls)));
    if (m.smtp.ca_file)
        curl_easy_setopt(c, CURLOPT_CAINFO, m.smtp.ca_file->c_str());
    if (!m.smtp.username.empty()) {
        curl_easy_setopt(c, CURLOPT_USERNAME, m.smtp.username.c_str());
        curl_easy_setopt(c, CURLOPT_PASSWORD, m.smtp.password.c_str());
    }
    curl_easy_setopt(c, CURLOPT_MAIL_FROM, from.c_str());
    curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt);
    curl_easy_setopt(c, CURLOPT_READFUNCTION, &read_piece);
    curl_easy_setopt(c, CURLOPT_READDATA, &body);
    curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(m.message.size()));
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, static_cast<long>(connect_deadline.count()));
    curl_easy_setopt(c, CURLOPT_TIMEOUT, static_cast<long>(send_deadline.count()));
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, &progress);
    curl_easy_setopt(c, CURLOPT_XFERINFODATA, &stopping_);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, error);
    const auto rc = curl_easy_perform(c);
    if (rc == CURLE_OK)
        return {true, {}};
    long code = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
    std::string why = "smtp: " + std::string(error[0] ? error : curl_easy_strerror(rc));
    if (code > 0)
        why += " (reply " + std::to_string(code) + ")";
    // Retried like any failure, a refused login included: the operator may
    // mend the relay or the password within the day.
    return {false, why, static_cast<int>(code), {}};
}

} // namespace opel::webhook
