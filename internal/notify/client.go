package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// The brandname gateway protocol: eSMS.vn's "SendMultipleMessage_V4"
// (developers.esms.vn), which several Vietnamese SMS resellers copy. One
// customer-care message (SmsType 2, sent under a registered brandname) per
// request:
//
//	POST {base}/SendMultipleMessage_V4_post_json/
//	Content-Type: application/json
//	{"ApiKey": "…", "SecretKey": "…", "Brandname": "UBND HoaLoc", "SmsType": "2",
//	 "Phone": "0912345678", "Content": "…", "IsUnicode": "1", "RequestId": "<message id>"}
//
//	200 {"CodeResult": "100", "SMSID": "…"}             accepted
//	200 {"CodeResult": "<code>", "ErrorMessage": "…"}  refused (codes below)
//
// The credentials travel in the body, so the base address must be HTTPS and
// requests are never logged. The gateway refuses a RequestId it has seen in
// the last 24 hours (code 124): the outbox sends each message's id as its
// RequestId, so a message sent again after a crash is not delivered twice.

// DefaultSMSURL is the gateway's production address.
const DefaultSMSURL = "https://rest.esms.vn/MainService.svc/json"

// smsPath is the endpoint under the base address.
const smsPath = "/SendMultipleMessage_V4_post_json/"

// smsTimeout bounds one request.
const smsTimeout = 10 * time.Second

// smsRequest is the body of a send.
type smsRequest struct {
	APIKey    string `json:"ApiKey"`
	SecretKey string `json:"SecretKey"`
	Brandname string `json:"Brandname"`
	SmsType   string `json:"SmsType"`
	Phone     string `json:"Phone"`
	Content   string `json:"Content"`
	IsUnicode string `json:"IsUnicode"`
	RequestID string `json:"RequestId"`
}

// smsResponse is the gateway's answer.
type smsResponse struct {
	CodeResult   string `json:"CodeResult"`
	SMSID        string `json:"SMSID"`
	ErrorMessage string `json:"ErrorMessage"`
}

// Codes of the protocol (CodeResult).
const (
	codeAccepted       = "100"
	codeBlocked        = "99"  // the number refuses messages
	codeAuth           = "101" // wrong ApiKey or SecretKey
	codeNoPriceList    = "102"
	codeNoBalance      = "103" // quota: not enough balance
	codeBrandname      = "104" // brandname not registered
	codeBadPhone       = "108" // not a number any network serves
	codeBadType        = "118"
	codeDuplicate      = "124" // RequestId already used: already accepted
	codeIPNotAllowed   = "140"
	codeBadTemplate    = "146" // content does not match a registered template
	codeNetworkMissing = "177" // the brandname is not registered on this network
)

// codeClass says what each refusal means for the message, with a
// Vietnamese text for the console.
var codeClass = map[string]struct {
	class ErrorClass
	text  string
}{
	codeBlocked:        {Permanent, "Số điện thoại đã từ chối nhận tin nhắn thương hiệu."},
	codeAuth:           {Account, "Sai ApiKey hoặc SecretKey của tài khoản cổng SMS."},
	codeNoPriceList:    {Account, "Tài khoản cổng SMS chưa có bảng giá."},
	codeNoBalance:      {Account, "Tài khoản cổng SMS đã hết hạn mức (không đủ số dư)."},
	codeBrandname:      {Account, "Tên thương hiệu (brandname) chưa được đăng ký với cổng SMS."},
	codeBadPhone:       {Permanent, "Số điện thoại không thuộc nhà mạng nào (cổng SMS từ chối)."},
	codeBadType:        {Account, "Cổng SMS không hỗ trợ loại tin nhắn chăm sóc khách hàng cho tài khoản này."},
	codeIPNotAllowed:   {Account, "Địa chỉ IP của máy chủ chưa được cổng SMS cho phép."},
	codeBadTemplate:    {Permanent, "Nội dung không khớp mẫu tin nhắn đã đăng ký với nhà mạng."},
	codeNetworkMissing: {Permanent, "Tên thương hiệu chưa được đăng ký với nhà mạng của số này."},
}

// HTTPClient sends SMS through a brandname gateway speaking the protocol
// above.
type HTTPClient struct {
	BaseURL   string
	APIKey    string
	SecretKey string
	Brandname string
	HTTP      *http.Client
	sandbox   bool
}

// NewHTTPClient returns a client for the gateway at baseURL (DefaultSMSURL
// when empty), with a bounded HTTP client.
func NewHTTPClient(baseURL, apiKey, secretKey, brandname string) *HTTPClient {
	if baseURL == "" {
		baseURL = DefaultSMSURL
	}
	return &HTTPClient{BaseURL: strings.TrimRight(baseURL, "/"), APIKey: apiKey, SecretKey: secretKey, Brandname: brandname,
		HTTP: &http.Client{Timeout: smsTimeout}}
}

// Sandbox reports whether the client talks to motcua's sandbox.
func (c *HTTPClient) Sandbox() bool { return c.sandbox }

// MarkSandbox labels the client as talking to the sandbox.
func (c *HTTPClient) MarkSandbox() *HTTPClient { c.sandbox = true; return c }

// Send hands one message to the gateway and returns its SMSID.
func (c *HTTPClient) Send(ctx context.Context, m Message) (string, error) {
	_, uni := Segments(m.Body)
	req := smsRequest{APIKey: c.APIKey, SecretKey: c.SecretKey, Brandname: c.Brandname, SmsType: "2",
		Phone: m.To, Content: m.Body, IsUnicode: "0", RequestID: m.ID}
	if uni {
		req.IsUnicode = "1"
	}
	body, _ := json.Marshal(req)
	hr, err := http.NewRequestWithContext(ctx, http.MethodPost, c.BaseURL+smsPath, bytes.NewReader(body))
	if err != nil {
		return "", &SendError{Class: Account, Code: "config", Message: "Địa chỉ cổng SMS không hợp lệ.", Err: err}
	}
	hr.Header.Set("Content-Type", "application/json")
	hr.Header.Set("Accept", "application/json")
	resp, err := c.HTTP.Do(hr)
	if err != nil {
		if errors.Is(err, context.Canceled) {
			return "", err
		}
		// A timeout may hide a message the gateway accepted: sending it
		// again with the same RequestId is answered 124, not repeated.
		return "", &SendError{Class: Temporary, Code: "network", Message: "Cổng SMS không trả lời (mạng hoặc quá thời gian chờ).", Err: redact(err)}
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if err != nil {
		return "", &SendError{Class: Temporary, Code: "network", Message: "Không đọc được trả lời của cổng SMS.", Err: redact(err)}
	}
	if resp.StatusCode != http.StatusOK {
		return "", statusError(resp)
	}
	var out smsResponse
	if err := json.Unmarshal(raw, &out); err != nil || out.CodeResult == "" {
		return "", &SendError{Class: Temporary, Code: "bad_answer", Message: "Cổng SMS trả lời không đúng giao thức.", Err: fmt.Errorf("answer %.80q", raw)}
	}
	switch out.CodeResult {
	case codeAccepted:
		return out.SMSID, nil
	case codeDuplicate:
		// Accepted before (by an attempt whose answer was lost).
		return "duplicate:" + m.ID, nil
	}
	if k, ok := codeClass[out.CodeResult]; ok {
		return "", &SendError{Class: k.class, Code: out.CodeResult, Message: k.text, Err: gatewaySaid(out.ErrorMessage)}
	}
	return "", &SendError{Class: Temporary, Code: out.CodeResult, Message: "Cổng SMS báo lỗi chưa rõ nguyên nhân.", Err: gatewaySaid(out.ErrorMessage)}
}

// statusError classifies an HTTP status other than 200.
func statusError(resp *http.Response) *SendError {
	e := &SendError{Code: "http_" + strconv.Itoa(resp.StatusCode)}
	switch s := resp.StatusCode; {
	case s == http.StatusUnauthorized || s == http.StatusForbidden:
		e.Class, e.Message = Account, "Cổng SMS từ chối tài khoản (xác thực không thành công)."
	case s == http.StatusNotFound || s == http.StatusMethodNotAllowed:
		e.Class, e.Message = Account, "Sai địa chỉ cổng SMS."
	case s == http.StatusRequestTimeout || s == http.StatusTooManyRequests || s >= 500:
		e.Class, e.Message = Temporary, "Cổng SMS đang bận hoặc gặp sự cố."
	case s >= 400:
		e.Class, e.Message = Permanent, "Cổng SMS từ chối tin nhắn này."
	default:
		e.Class, e.Message = Temporary, "Cổng SMS trả lời không đúng giao thức."
	}
	if secs, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && secs > 0 {
		e.RetryAfter = time.Duration(min(secs, 3600)) * time.Second
	}
	return e
}

// gatewaySaid keeps the gateway's own words for the logs.
func gatewaySaid(msg string) error {
	if msg == "" {
		return nil
	}
	return errors.New(truncate(msg, 200))
}

// redact drops the request URL from a transport error: harmless here, but
// the habit keeps gateways' keys (some take them in the query string) out
// of logs.
func redact(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) && ue.Err != nil {
		return fmt.Errorf("%s: %w", ue.Op, ue.Err)
	}
	return err
}
