package mercadolivre

import (
	"bytes"
	"fmt"
	"time"

	"github.com/go-pdf/fpdf"
)

// LabelPDF draws Mercado Envios labels, one 100 × 150 mm page per
// shipment: the tracking code, the recipient and the invoice. It is
// deterministic for a given input (its dates are sandbox time).
func LabelPDF(labels []LabelData, at time.Time) ([]byte, error) {
	pdf := fpdf.NewCustom(&fpdf.InitType{UnitStr: "mm", Size: fpdf.SizeType{Wd: 100, Ht: 150}})
	pdf.SetTitle("Etiqueta de envio", true)
	pdf.SetCreator("omsbox", true)
	pdf.SetCreationDate(at)
	pdf.SetModificationDate(at)
	pdf.SetCompression(false)
	pdf.SetMargins(6, 6, 6)
	pdf.SetAutoPageBreak(false, 0)
	tr := pdf.UnicodeTranslatorFromDescriptor("")
	for _, l := range labels {
		pdf.AddPage()
		pdf.SetFont("Helvetica", "B", 14)
		pdf.CellFormat(0, 8, tr("Mercado Envios"), "B", 1, "L", false, 0, "")
		pdf.Ln(3)
		pdf.SetFont("Courier", "B", 14)
		pdf.CellFormat(0, 10, l.Tracking, "1", 1, "C", false, 0, "")
		pdf.SetFont("Helvetica", "", 9)
		pdf.CellFormat(0, 6, tr(fmt.Sprintf("Envio %d  ·  NF %s", l.ShipmentID, l.Invoice)), "", 1, "L", false, 0, "")
		pdf.Ln(4)
		pdf.SetFont("Helvetica", "B", 10)
		pdf.CellFormat(0, 6, tr("Destinatário"), "", 1, "L", false, 0, "")
		pdf.SetFont("Helvetica", "", 10)
		pdf.MultiCell(0, 5, tr(l.Receiver+"\n"+l.Address), "", "L", false)
	}
	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		return nil, fmt.Errorf("label pdf: %w", err)
	}
	return buf.Bytes(), nil
}
