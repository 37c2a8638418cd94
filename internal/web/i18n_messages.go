package web

// Texts of the page of messages sent to citizens, in Vietnamese and English.
func init() {
	vi := map[string]string{
		"admin.messages":       "Tin nhắn gửi công dân",
		"admin.messages_about": "Tin nhắn SMS gửi công dân (sắp đến lượt, nhắc lịch hẹn): đã gửi, đang chờ, không gửi được và lý do.",

		"notify.lead":     "Các tin nhắn SMS mới nhất Trung tâm gửi công dân, mới nhất trước. Tin nhắn chưa gửi được sẽ được tự động gửi lại, cách nhau ngày càng lâu; tin nhắn không còn cần thiết (đã qua lượt) thì không gửi.",
		"notify.sandbox":  "Tin nhắn được gửi tới cổng SMS thử nghiệm, không đến điện thoại của công dân.",
		"notify.privacy":  "Số điện thoại và nội dung tin nhắn là dữ liệu cá nhân của công dân: số điện thoại được che một phần, và mỗi lần xem trang này được ghi vào nhật ký.",
		"notify.summary":  "Trong danh sách",
		"notify.caption":  "Tin nhắn mới nhất",
		"notify.created":  "Thời điểm tạo",
		"notify.kind":     "Loại tin",
		"notify.to":       "Số điện thoại",
		"notify.body":     "Nội dung",
		"notify.state":    "Trạng thái",
		"notify.attempts": "Số lần gửi",
		"notify.detail":   "Thời điểm, lỗi gần nhất",
		"notify.sent_at":  "Đã gửi lúc",
		"notify.due_at":   "Dự kiến gửi lúc",
		"notify.none":     "Chưa có tin nhắn nào.",

		"notify.state.pending":   "Chờ gửi",
		"notify.state.sending":   "Đang gửi",
		"notify.state.sent":      "Đã gửi",
		"notify.state.failed":    "Không gửi được",
		"notify.state.expired":   "Quá hạn, không gửi",
		"notify.state.cancelled": "Đã hủy",

		"notify.kind.queue_near":           "Sắp đến lượt",
		"notify.kind.appointment_reminder": "Nhắc lịch hẹn",
	}
	en := map[string]string{
		"admin.messages":       "Messages to citizens",
		"admin.messages_about": "Text messages sent to citizens (turn coming up, appointment reminders): sent, waiting, failed and why.",

		"notify.lead":     "The latest text messages the centre sent to citizens, newest first. A message that could not be sent is tried again automatically, at growing intervals; a message no longer useful (the turn has passed) is not sent.",
		"notify.sandbox":  "Messages go to the test SMS gateway and never reach a citizen's phone.",
		"notify.privacy":  "Phone numbers and message texts are citizens' personal data: numbers are partly hidden, and every view of this page is recorded in the audit log.",
		"notify.summary":  "In this list",
		"notify.caption":  "Latest messages",
		"notify.created":  "Created",
		"notify.kind":     "Kind",
		"notify.to":       "Phone number",
		"notify.body":     "Text",
		"notify.state":    "State",
		"notify.attempts": "Attempts",
		"notify.detail":   "When, last error",
		"notify.sent_at":  "Sent at",
		"notify.due_at":   "Due at",
		"notify.none":     "No messages yet.",

		"notify.state.pending":   "Waiting",
		"notify.state.sending":   "Sending",
		"notify.state.sent":      "Sent",
		"notify.state.failed":    "Failed",
		"notify.state.expired":   "Expired, not sent",
		"notify.state.cancelled": "Cancelled",

		"notify.kind.queue_near":           "Turn coming up",
		"notify.kind.appointment_reminder": "Appointment reminder",

		"adminerr.notify_not_configured": "Sending messages to citizens is not configured.",
	}
	addMessages(vi, en)
}
